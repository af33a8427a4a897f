import RegistryJSON
import RegistryRuntime

/// Where a compatibility level is set: the whole server, a namespace, or one model. A model's
/// level in force is its own, else its namespace's (a global model has none), else the server's.
public enum CompatibilityScope: Sendable, Equatable {
    case server
    case namespace(String)
    case model(ModelKey)

    /// What `source` says when the level in force comes from this scope.
    public var source: String {
        switch self {
        case .server: return "server"
        case .namespace: return "namespace"
        case .model: return "model"
        }
    }

    /// This scope, then the ones it falls back to.
    var chain: [CompatibilityScope] {
        switch self {
        case .server: return [.server]
        case .namespace: return [self, .server]
        case .model(let key):
            guard let namespace = key.namespace else { return [self, .server] }
            return [self, .namespace(namespace), .server]
        }
    }

    /// The row's primary key: JSON, so that a global model and every name stay distinct.
    var storageKey: String {
        let parts: [JSONValue]
        switch self {
        case .server: parts = ["server"]
        case .namespace(let name): parts = ["namespace", .string(name)]
        case .model(let key): parts = ["model", key.namespace.map(JSONValue.string) ?? .null, .string(key.model)]
        }
        return JSONValue.array(parts).serialized()
    }

    /// Names the scope in a 404.
    var description: String {
        switch self {
        case .server: return "the server"
        case .namespace(let name): return "namespace '\(name)'"
        case .model(let key): return "model \(key.identifier)"
        }
    }
}

/// A level and the scope it comes from, as every config route answers it.
public struct CompatibilitySetting: Sendable, Equatable {
    public let level: CompatibilityLevel
    public let source: String

    public init(level: CompatibilityLevel, source: String) {
        self.level = level
        self.source = source
    }

    public var json: JSONValue { ["compatibility": .string(level.rawValue), "source": .string(source)] }
}
