import RegistryDomain
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// What the web UI (issue 18) reads: the scopes with their model counts, a scope's models with
/// their level in force, a model's versions with their registration and deprecation, two versions
/// compared at a level. Read-only and blocking: call it off the event loop. The rules stay where
/// they are (`SchemaService`, `CompatibilityConfigService`, `CompatibilityChecker`); this only
/// gathers what one page shows in one connection.
public struct SchemaBrowser: Sendable {
    public let pool: ConnectionPool
    public let defaultCompatibility: CompatibilityLevel

    /// The most models one scope page lists.
    public static let modelsPerPage = 1000

    public init(pool: ConnectionPool, defaultCompatibility: CompatibilityLevel) {
        self.pool = pool
        self.defaultCompatibility = defaultCompatibility
    }

    /// The global scope (nil) and each namespace, with the number of models; global first, then by name.
    public func scopes() throws -> [ScopeSummary] {
        try pool.withConnection { try BrowseQueries(db: $0).scopes() }
    }

    /// The models of a scope (nil: the global scope), deprecated ones included, by name.
    public func models(in namespace: String?) throws -> [ModelSummary] {
        try pool.withConnection { db in
            let query = SchemaListQuery(namespace: namespace.map { .exact($0) } ?? .globalOnly, model: nil,
                                        includeDeprecated: true, limit: Self.modelsPerPage, offset: 0)
            let listing = try SchemaListingQueries(db: db).run(query)
            return try listing.items.map { item in
                let object = item.objectValue ?? JSONObject()
                let name = object["model_name"]?.stringValue ?? ""
                let versions = object["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let deprecated = object["deprecated_versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let key = ModelKey(namespace: namespace, model: name)
                let setting = try CompatibilityConfigService.inForce(.model(key), db: db, defaultLevel: defaultCompatibility)
                return ModelSummary(key: key, latestVersion: versions.last, versionCount: versions.count,
                                    deprecatedCount: deprecated.count, compatibility: setting)
            }
        }
    }

    /// A model's versions in semantic order and its level in force; 404 when it has none.
    public func model(_ key: ModelKey) throws -> ModelDetail {
        try pool.withConnection { db in
            let versions = try BrowseQueries(db: db).versions(key)
            guard !versions.isEmpty else { throw RegistryError.notFound("Model \(key.identifier) not found") }
            let setting = try CompatibilityConfigService.inForce(.model(key), db: db, defaultLevel: defaultCompatibility)
            return ModelDetail(key: key, versions: versions, compatibility: setting)
        }
    }

    /// Two versions, the listing's `changes` between them, and what `level` (default: the level in
    /// force; NONE: checked both ways, nothing counted as breaking) says of `to` against `from`.
    public func diff(_ key: ModelKey, from: String, to: String, level: CompatibilityLevel?) throws -> VersionDiff {
        try pool.withConnection { db in
            let repository = SchemaRepository(db: db)
            guard let old = try repository.find(key, version: from) else {
                throw RegistryError.notFound("Schema \(key.identifier(version: from)) not found")
            }
            guard let new = try repository.find(key, version: to) else {
                throw RegistryError.notFound("Schema \(key.identifier(version: to)) not found")
            }
            let setting = try CompatibilityConfigService.inForce(.model(key), db: db, defaultLevel: defaultCompatibility)
            let level = level ?? setting.level
            let changes = SchemaComparison.changes(fromJSONSchema: old.jsonSchema, toJSONSchema: new.jsonSchema,
                                                   fromAvro: old.avroSchema, toAvro: new.avroSchema)
            let report = CompatibilityChecker.report(
                level, new: CompatibilityChecker.Candidate(jsonSchema: new.jsonSchema, avroSchema: new.avroSchema),
                against: [(version: old.version, directions: Self.directions(level),
                           schema: CompatibilityChecker.Candidate(jsonSchema: old.jsonSchema, avroSchema: old.avroSchema))])
            return VersionDiff(old: old, new: new, changes: changes, report: report, inForce: setting)
        }
    }

    /// Which directions a level checks between two versions (NONE: none, so nothing breaks; its
    /// messages still list every change).
    static func directions(_ level: CompatibilityLevel) -> CheckedDirections {
        switch level {
        case .none: return CheckedDirections(backward: false, forward: false)
        case .backward, .backwardTransitive, .semver: return .backwardOnly
        case .forward, .forwardTransitive: return .forwardOnly
        case .full, .fullTransitive: return .both
        }
    }
}

public struct ScopeSummary: Sendable, Equatable {
    public let namespace: String?
    public let models: Int
}

public struct ModelSummary: Sendable {
    public let key: ModelKey
    public let latestVersion: String?
    public let versionCount: Int
    public let deprecatedCount: Int
    public let compatibility: CompatibilitySetting
    /// Every version deprecated.
    public var isDeprecated: Bool { versionCount > 0 && deprecatedCount == versionCount }
}

public struct VersionSummary: Sendable {
    public let version: String
    public let registeredAt: Timestamp
    public let registeredBy: String
    public let deprecated: Bool
    public let deprecatedAt: Timestamp?
    public let deprecationMessage: String?

    public init(version: String, registeredAt: Timestamp, registeredBy: String, deprecated: Bool, deprecatedAt: Timestamp?,
                deprecationMessage: String?) {
        self.version = version
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
        self.deprecated = deprecated
        self.deprecatedAt = deprecatedAt
        self.deprecationMessage = deprecationMessage
    }
}

public struct ModelDetail: Sendable {
    public let key: ModelKey
    /// Semantic order, oldest first.
    public let versions: [VersionSummary]
    public let compatibility: CompatibilitySetting

    public init(key: ModelKey, versions: [VersionSummary], compatibility: CompatibilitySetting) {
        self.key = key
        self.versions = versions
        self.compatibility = compatibility
    }
}

public struct VersionDiff: Sendable {
    public let old: SchemaRecord
    public let new: SchemaRecord
    public let changes: JSONObject
    public let report: CompatibilityReport
    public let inForce: CompatibilitySetting
}
