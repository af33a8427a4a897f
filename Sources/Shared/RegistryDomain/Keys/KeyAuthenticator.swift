import Foundation
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// Finds the key a request presents, per worker, fast:
/// - a cache keyed by the key's SHA-256 answers repeat requests without bcrypt or database;
/// - a miss finds the row by its lookup id (an indexed prefix of the key) and runs bcrypt once;
///   keys made by the reference (no lookup id) are tried once by bcrypt, then given one;
/// - a key that matches no row is remembered as unknown, so repeating it costs nothing;
/// - the server's `ChangeBoard` moves when a worker of this server changes a key: the next request
///   on any worker re-reads the cached keys before it trusts them (read-your-writes);
/// - the key-state version in the database, polled in the background, does the same after any
///   revocation, deletion, rotation or scope change elsewhere (other pods, the CLI);
/// - a key's namespace scope is read with it and cached with it (re-read by the same re-reading),
///   so checking it costs no query.
public final class KeyAuthenticator: @unchecked Sendable {
    private let pool: ConnectionPool
    private let board: ChangeBoard
    private let lock = NSLock()
    /// The board's key counter when the cache was last made consistent with the database.
    private var boardSeen: UInt64
    private var known: [String: AuthenticatedKey] = [:]
    private var unknown: Set<String> = []
    private var stateVersion = -1
    /// Moves whenever the caches are emptied; an answer computed across a move is not cached,
    /// so a revocation that lands during a (slow, bcrypt) first check is not undone.
    private var generation = 0
    /// The generation of the re-read whose rows `known` holds: a re-read overtaken by a later one
    /// still installs its rows while that one runs, never over rows the later one installed.
    private var installedGeneration = 0
    private static let unknownLimit = 10_000
    private var cacheHits = 0
    private var cacheMisses = 0

    public init(pool: ConnectionPool, board: ChangeBoard) {
        self.pool = pool
        self.board = board
        boardSeen = board.keys
    }

    /// Answers found in the cache, and checks that had to reach the database (for metrics).
    public var cacheCounts: (hits: Int, misses: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (cacheHits, cacheMisses)
    }

    /// The cached answer for a key's fingerprint (`KeyMaterial.fingerprint`), if there is one:
    /// `.some(nil)` means known to be invalid.
    /// Nil also when a key changed on this server since the cache was checked: the answer then
    /// comes from `authenticate`, which re-reads first.
    public func cached(fingerprint: String, now: Timestamp = .now()) -> AuthenticatedKey?? {
        let current = board.keys
        lock.lock()
        defer { lock.unlock() }
        guard current == boardSeen else { return nil }
        if let key = known[fingerprint] { cacheHits += 1; return .some(key.isUsable(at: now) ? key : nil) }
        if unknown.contains(fingerprint) { cacheHits += 1; return .some(nil) }
        return nil
    }

    /// Full authentication (blocking: database and maybe bcrypt). Nil when the key is invalid.
    public func authenticate(_ presented: String, fingerprint: String) throws -> AuthenticatedKey? {
        let current = board.keys
        if current != lock.withLock({ boardSeen }) {
            try revalidate(atVersion: nil)
            lock.withLock { boardSeen = max(boardSeen, current) }
        }
        if let answer = cached(fingerprint: fingerprint) { return answer }
        lock.lock()
        let startedIn = generation
        cacheMisses += 1
        lock.unlock()
        let found = try pool.withConnection { db -> AuthenticatedKey? in
            let repository = APIKeyRepository(db: db)
            if let lookupID = KeyMaterial.lookupID(of: presented), let (record, hash) = try repository.find(lookupID: lookupID) {
                guard !record.revoked, BCrypt.verify(presented, hash: hash) else { return nil }
                return AuthenticatedKey(record, scope: try repository.scope(id: record.id))
            }
            // Keys the reference created carry no lookup id: bcrypt against those only.
            for (record, hash) in try repository.legacyCandidates() where BCrypt.verify(presented, hash: hash) {
                if let lookupID = KeyMaterial.lookupID(of: presented) {
                    try? repository.setLookupID(id: record.id, lookupID: lookupID)
                }
                return AuthenticatedKey(record, scope: try repository.scope(id: record.id))
            }
            return nil
        }
        lock.lock()
        if generation == startedIn {
            if let found { known[fingerprint] = found } else {
                if unknown.count >= Self.unknownLimit { unknown.removeAll() }
                unknown.insert(fingerprint)
            }
        }
        lock.unlock()
        guard let found, found.isUsable(at: .now()) else { return nil }
        return found
    }

    /// Reads the key-state version; when it moved, re-reads the rows of the cached keys and keeps
    /// those still valid. Call it from a background timer (every few hundred milliseconds).
    public func refreshState() throws {
        let version = try pool.withConnection(retryOnBrokenConnection: true) { try APIKeyRepository(db: $0).stateVersion() }
        lock.lock()
        let moved = version != stateVersion
        lock.unlock()
        guard moved else { return }
        try revalidate(atVersion: version)
    }

    /// After this worker changed a key itself: the same re-reading, at once.
    public func invalidate() {
        do {
            try revalidate(atVersion: nil)
        } catch {
            lock.lock()
            known.removeAll()
            unknown.removeAll()
            generation += 1
            lock.unlock()
        }
    }

    /// A change to one key must not cost every other key a new bcrypt check (a burst of them
    /// stalls the worker): a cached key stays cached while its row exists and is not revoked —
    /// its hash cannot change. Rows are read after the version, so a change landing meanwhile
    /// moves the version again and is caught by the next refresh.
    private func revalidate(atVersion version: Int?) throws {
        lock.lock()
        generation += 1
        let startedIn = generation
        let cached = known
        unknown.removeAll()
        if let version { stateVersion = version }
        lock.unlock()
        let ids = Set(cached.values.map(\.id))
        let fresh = try pool.withConnection(retryOnBrokenConnection: true) { db -> [Int: AuthenticatedKey] in
            let repository = APIKeyRepository(db: db)
            var records: [Int: AuthenticatedKey] = [:]
            for id in ids {
                if let record = try repository.find(id: id), !record.revoked {
                    records[id] = AuthenticatedKey(record, scope: try repository.scope(id: id))
                }
            }
            return records
        }
        lock.lock()
        if generation == startedIn {
            known = cached.compactMapValues { fresh[$0.id] }
            installedGeneration = startedIn
        } else if installedGeneration < startedIn {
            // A later re-read is still running, and this one's rows are the newest there are
            // (every row was read after the change that started it): a request that waited for
            // this re-read must see the key's new scope, and no revoked key, now.
            known = known.compactMapValues { ids.contains($0.id) ? fresh[$0.id] : $0 }
            installedGeneration = startedIn
        } else {
            // A later re-read installed newer rows; only a key this one found gone or revoked
            // still counts (that never reverts).
            known = known.filter { !ids.contains($0.value.id) || fresh[$0.value.id] != nil }
        }
        lock.unlock()
    }
}
