import CShim
import RegistryJSON

/// The rate-limit counters of one server in the memory its processes share (a section of the
/// `SharedRegion`): a fixed number of slots, each one bucket's hits in one window, behind one
/// process-shared mutex. Every worker counts in the same slots, so the limit is exact across the
/// workers of a server with no database on the request path; a background sync
/// (`RateLimitTable+Sync`) adds this server's hits to the database's counters and learns the
/// other servers' (docs/rate-limiting.md).
///
/// Buckets are placed by the hash of their name with linear probing, at most `probeLimit` slots
/// from their hash's slot; a slot of a past window is reused once its hits are in the database (or
/// its window ended more than a window ago). A bucket that finds no slot is not counted here: the
/// caller counts it in the database instead.
public final class RateLimitTable: @unchecked Sendable {   // the slots only under `mutex`
    public static let capacity = 2048
    /// Bytes of a bucket name a slot holds; longer names are counted in the database.
    public static let nameCapacity = RateLimitSlot.nameCapacity
    static let probeLimit = 32

    // The header: the mutex, the sync lease (`RateLimitTable+Sync`), and the indexes of the slots
    // ever used, so that a sync round reads those and does not fault in the whole table.
    static let leaseHolderOffset = 64
    static let leaseExpiryOffset = 72
    private static let usedCountOffset = 80
    private static let usedListOffset = 128
    private static let headerSize = usedListOffset + capacity * MemoryLayout<UInt16>.stride
    public static let size = headerSize + capacity * RateLimitSlot.stride

    let mutex: SharedMutex
    let memory: UnsafeMutableRawPointer

    /// `memory` is the table's section of the `SharedRegion`, zeroed; only its creator initialises.
    init(memory: UnsafeMutableRawPointer, initialise: Bool) {
        precondition(pyrmute_shared_mutex_size() <= Self.leaseHolderOffset)
        self.memory = memory
        mutex = SharedMutex(memory: memory, initialise: initialise)
    }

    /// A table for this process alone (a worker without a supervisor, tests).
    public static func standalone() -> RateLimitTable {
        guard let memory = pyrmute_region_map(-1, size) else { fatalError("cannot map \(size) bytes") }
        return RateLimitTable(memory: memory, initialise: true)
    }

    func slot(_ index: Int) -> RateLimitSlot {
        RateLimitSlot(base: memory + Self.headerSize + index * RateLimitSlot.stride)
    }

    /// Counts one hit of the bucket `name` in the window that starts at `window` (unix seconds).
    /// Slots of windows that started before `abandonUnpushedBefore` are reused even when some of
    /// their hits never reached the database.
    public func hit(_ name: String, window: Int64, abandonUnpushedBefore: Int64) -> RateLimitHit {
        var name = name
        return name.withUTF8 { bytes -> RateLimitHit in
            guard bytes.count <= Self.nameCapacity else { return .noRoom }
            let raw = UnsafeRawBufferPointer(bytes)
            let hash = FNV1a.hash(bytes)
            return mutex.withLock {
                var free: Int?
                for probe in 0..<Self.probeLimit {
                    let index = Int((hash &+ UInt64(probe)) % UInt64(Self.capacity))
                    let slot = slot(index)
                    if slot.isUnused {
                        // Slots are never emptied, so the bucket cannot be further along.
                        free = free ?? index
                        break
                    }
                    if slot.holds(raw, hash: hash, window: window) {
                        slot.localHits += 1
                        return .counted(slot.localHits + slot.othersHits)
                    }
                    if free == nil, slot.window < window,
                       slot.pushedHits == slot.localHits || slot.window < abandonUnpushedBefore {
                        free = index
                    }
                }
                guard let free else { return .noRoom }
                let slot = slot(free)
                if slot.isUnused { noteUsed(free) }
                slot.claim(raw, hash: hash, window: window)
                slot.localHits = 1
                // The claimer adds this first hit to the database itself (`seed`), to learn the
                // other servers' count at once rather than at the next sync.
                slot.pushedHits = 1
                return .claimed(RateLimitClaim(slot: free, generation: slot.generation))
            }
        }
    }

    /// The slots ever used, in the order they were first used (under the mutex).
    var usedSlots: [Int] {
        let count = memory.load(fromByteOffset: Self.usedCountOffset, as: Int.self)
        return (0..<count).map { Int(memory.load(fromByteOffset: Self.usedListOffset + $0 * 2, as: UInt16.self)) }
    }

    private func noteUsed(_ index: Int) {
        let count = memory.load(fromByteOffset: Self.usedCountOffset, as: Int.self)
        // Full only if a process died between noting a slot and claiming it, and again for it.
        guard count < Self.capacity else { return }
        memory.storeBytes(of: UInt16(index), toByteOffset: Self.usedListOffset + count * 2, as: UInt16.self)
        memory.storeBytes(of: count + 1, toByteOffset: Self.usedCountOffset, as: Int.self)
    }

    /// The database's count after the claiming hit was added to it: the other servers' hits are
    /// that count less this server's hits in the database. Returns the claiming hit's count.
    public func seed(_ claim: RateLimitClaim, databaseHits: Int) -> Int {
        mutex.withLock {
            let slot = slot(claim.slot)
            guard slot.generation == claim.generation else { return databaseHits }
            slot.othersHits = max(slot.othersHits, databaseHits - slot.pushedHits)
            return 1 + slot.othersHits
        }
    }

    /// The claiming hit could not be added to the database: the next sync adds it. Returns the
    /// claiming hit's count as far as this server knows.
    public func unseed(_ claim: RateLimitClaim) -> Int {
        mutex.withLock {
            let slot = slot(claim.slot)
            guard slot.generation == claim.generation else { return 1 }
            slot.pushedHits -= 1
            return 1 + slot.othersHits
        }
    }
}

/// What counting one hit in the table did.
public enum RateLimitHit: Sendable, Equatable {
    /// The bucket's count in the window, this hit included (this server's, exact, plus the other
    /// servers' as of the last sync).
    case counted(Int)
    /// The bucket's first hit in this server and window took a new slot: add it to the database
    /// and pass the count to `seed` (or call `unseed` if that failed).
    case claimed(RateLimitClaim)
    /// No slot for the bucket (a name longer than `nameCapacity` bytes, or every slot it may use
    /// holds a bucket of this window): count it in the database.
    case noRoom
}

/// The slot that a bucket's first hit in the window took.
public struct RateLimitClaim: Sendable, Equatable {
    let slot: Int
    let generation: UInt64
}
