import RegistryDomain
import RegistryJSON
import RegistryJSONSchema
import RegistryRuntime
import RegistryStorage

/// The schema registry's rules (contract §6–§7, compatibility of issue 14). Blocking: call it off
/// the event loop.
public struct SchemaService: Sendable {
    public let pool: ConnectionPool
    /// The server scope's level when `PUT /config` has not stored one.
    public let defaultCompatibility: CompatibilityLevel
    /// Told of every committed change, before it is answered, so that no worker of this server
    /// answers the old state from a cache afterwards.
    public let board: ChangeBoard?

    public init(pool: ConnectionPool, defaultCompatibility: CompatibilityLevel = .none, board: ChangeBoard? = nil) {
        self.pool = pool
        self.defaultCompatibility = defaultCompatibility
        self.board = board
    }

    /// Registers a version, or replaces it with `allowOverwrite` (id and deprecation kept).
    /// Order of checks as the reference: version format (400), JSON Schema (422), Avro (422),
    /// existence (409); then the compatibility level in force (409 `IncompatibleSchema`).
    /// Uniqueness holds under concurrency: the database refuses the second row. The compatibility
    /// check and the insert run under the model's lock, so two registrations cannot both pass
    /// against a state that one of them changes.
    public func register(_ key: ModelKey, _ submission: SchemaSubmission, allowOverwrite: Bool,
                         actor: String? = nil) throws -> SchemaRecord {
        let parsed = try validate(submission)
        let duplicate = RegistryError.conflict(
            "Schema \(key.identifier(version: submission.version)) already exists. Use allow_overwrite=true to replace it.")
        do {
            let record = try pool.withConnection { db in
                try db.transaction {
                    let repository = SchemaRepository(db: db)
                    let level = try CompatibilityConfigService.inForce(.model(key), db: db, defaultLevel: defaultCompatibility).level
                    if level != .none { try repository.lockModel(key) }
                    let existingID = try repository.existingID(key, version: submission.version)
                    if existingID != nil && !allowOverwrite { throw duplicate }
                    let report = try check(key, submission, parsed, level: level, repository)
                    guard report.isCompatible else {
                        throw IncompatibleSchema(key, version: submission.version, report: report)
                    }
                    let record = try existingID.map { try repository.overwrite(id: $0, submission) }
                        ?? repository.insert(key, submission, parsed: parsed)
                    try repository.reindex(record)
                    try SchemaEvents.version(existingID == nil ? .schemaRegistered : .schemaOverwritten, record, actor: actor, db: db)
                    return record
                }
            }
            changed(key)
            return record
        } catch DatabaseError.uniqueViolation {
            throw duplicate   // a concurrent registration of the same version won
        }
    }

    /// The dry run: what registering `submission` would meet at `level` (default: the level in
    /// force for the model). Validates like `register`; stores nothing.
    public func checkCompatibility(_ key: ModelKey, _ submission: SchemaSubmission,
                                   level: CompatibilityLevel?) throws -> CompatibilityReport {
        let parsed = try validate(submission)
        return try pool.withConnection { db in
            let level = try level ?? CompatibilityConfigService.inForce(.model(key), db: db, defaultLevel: defaultCompatibility).level
            return try check(key, submission, parsed, level: level, SchemaRepository(db: db))
        }
    }

    public func get(_ key: ModelKey, version: String) throws -> SchemaRecord {
        guard let record = try read({ try $0.find(key, version: version) }) else { throw notFound(key, version) }
        return record
    }

    public func latest(_ key: ModelKey) throws -> SchemaRecord {
        let record = try read { repository -> SchemaRecord? in
            guard let id = try repository.latestID(key) else { return nil }
            return try repository.find(id: id)
        }
        guard let record else { throw RegistryError.notFound("Model \(key.identifier) not found") }
        return record
    }

    public func versions(_ key: ModelKey) throws -> [String] {
        let versions = try read { try $0.versions(key) }
        guard !versions.isEmpty else { throw RegistryError.notFound("Model \(key.identifier) not found") }
        return versions
    }

    /// The `changes` of two versions (`from` looked up first).
    public func compare(_ key: ModelKey, from: String, to: String) throws -> JSONObject {
        let (old, new) = try read { repository -> (SchemaRecord, SchemaRecord) in
            guard let old = try repository.find(key, version: from) else { throw notFound(key, from) }
            guard let new = try repository.find(key, version: to) else { throw notFound(key, to) }
            return (old, new)
        }
        return SchemaComparison.changes(fromJSONSchema: old.jsonSchema, toJSONSchema: new.jsonSchema,
                                        fromAvro: old.avroSchema, toAvro: new.avroSchema)
    }

    /// Hard delete; 404 comes before the `force` check.
    public func delete(_ key: ModelKey, version: String, force: Bool, actor: String? = nil) throws {
        try write(key) { repository in
            guard let id = try repository.existingID(key, version: version) else { throw notFound(key, version) }
            guard force else { throw RegistryError.badRequest("Deletion requires force=true parameter") }
            try repository.delete(id: id)
            try SchemaEvents.deleted(key, version: version, actor: actor, db: repository.db)
        }
    }

    public func setDeprecated(_ key: ModelKey, version: String, deprecated: Bool, message: String?,
                              actor: String? = nil) throws -> SchemaRecord {
        try write(key) { repository in
            guard let id = try repository.existingID(key, version: version) else { throw notFound(key, version) }
            try repository.setDeprecation(id: id, deprecated: deprecated, at: deprecated ? .now() : nil,
                                          message: deprecated ? message : nil)
            guard let record = try repository.find(id: id) else { throw notFound(key, version) }
            try repository.reindex(record)   // the deprecation message is searchable
            try SchemaEvents.version(deprecated ? .schemaDeprecated : .schemaUndeprecated, record, actor: actor, db: repository.db)
            return record
        }
    }

    /// Namespace → sorted versions, over every row of the model; global rows under `"null"`.
    /// `scope`: a scoped key sees only its namespaces (none left: as if the model did not exist).
    public func namespaces(model: String, scope: KeyScope? = nil) throws -> JSONObject {
        let rows = try read { try $0.namespaces(model: model) }.filter { scope?.permits($0.namespace) ?? true }
        guard !rows.isEmpty else { throw RegistryError.notFound("Model \(model) not found in any namespace") }
        var order: [String] = []
        var groups: [String: [String]] = [:]
        for row in rows {
            let name = row.namespace ?? "null"
            if groups[name] == nil { order.append(name) }
            groups[name, default: []].append(row.version)
        }
        return JSONObject(order.map { ($0, .array(SchemaVersion.sorted(groups[$0]!).map(JSONValue.string))) })
    }

    public func list(_ query: SchemaListQuery) throws -> SchemaListing {
        try pool.withConnection { try SchemaListingQueries(db: $0).run(query) }
    }

    // MARK: -

    /// The checks of the body that need no database: version format (400), JSON Schema, Avro (422).
    private func validate(_ submission: SchemaSubmission) throws -> SchemaVersion {
        guard let parsed = SchemaVersion(submission.version) else {
            throw RegistryError.badRequest(SchemaVersion.formatError(submission.version))
        }
        if let problem = JSONSchemaCheck.metaSchemaError(submission.jsonSchema) {
            throw RegistryError.unprocessable("Invalid JSON Schema: \(problem)")
        }
        if let avro = submission.avroSchema, let problem = AvroSchemaCheck.firstProblem(avro) {
            throw RegistryError.unprocessable("Invalid Avro schema: \(problem)")
        }
        return parsed
    }

    /// Compares the submission with the versions the level names (the submitted version itself
    /// excluded: an overwrite is checked against the others).
    private func check(_ key: ModelKey, _ submission: SchemaSubmission, _ parsed: SchemaVersion, level: CompatibilityLevel,
                       _ repository: SchemaRepository) throws -> CompatibilityReport {
        guard level != .none else { return CompatibilityReport(level: level, checkedAgainst: [], messages: []) }
        let candidates = CompatibilityPolicy.candidates(level, new: parsed)
        let existing = try repository.versions(key, among: candidates).filter { $0.version != submission.version }
        let against = try CompatibilityPolicy.plan(level, new: parsed, existing: existing).map { comparison in
            guard let record = try repository.find(id: comparison.existing.id) else {
                throw DatabaseError.statementFailed("row \(comparison.existing.id) vanished")
            }
            return (version: record.version, directions: comparison.directions,
                    schema: CompatibilityChecker.Candidate(jsonSchema: record.jsonSchema, avroSchema: record.avroSchema))
        }
        let candidate = CompatibilityChecker.Candidate(jsonSchema: submission.jsonSchema, avroSchema: submission.avroSchema)
        return CompatibilityChecker.report(level, new: candidate, against: against)
    }

    private func notFound(_ key: ModelKey, _ version: String) -> RegistryError {
        .notFound("Schema \(key.identifier(version: version)) not found")
    }

    private func read<T>(_ body: (SchemaRepository) throws -> T) throws -> T {
        try pool.withConnection { try body(SchemaRepository(db: $0)) }
    }

    /// A change to `key`'s versions, in one transaction, announced once committed.
    private func write<T>(_ key: ModelKey, _ body: (SchemaRepository) throws -> T) throws -> T {
        let value = try pool.withConnection { db in try db.transaction { try body(SchemaRepository(db: db)) } }
        changed(key)
        return value
    }

    private func changed(_ key: ModelKey) {
        board?.modelChanged(namespace: key.namespace, model: key.model)
    }
}
