/// One slot's part in a sync round: the hits to add to the database's counter (0: only read it).
public struct RateLimitPush: Sendable {
    public let bucket: String
    public let window: Int64
    public let hits: Int
    let slot: Int
    let generation: UInt64
}

/// The table's side of the sync with the database (`RateLimitSync` in RegistryTraffic runs it): a
/// lease so that one worker at a time syncs, and the hand-over of hits to the database.
///
/// Hits are marked pushed when a round takes them, not when its write commits, so that a round
/// that outlives its lease and the next holder's round never add the same hits twice; a failed
/// write gives them back (`restore`).
extension RateLimitTable {
    /// Whether `holder` (a process id) may run a sync round: it holds the lease, or the lease
    /// expired (its holder died or stalled). The lease then runs until `now + duration`
    /// (nanoseconds of the monotonic clock, the same in every process of the machine).
    public func acquireSyncLease(holder: Int32, now: UInt64, duration: UInt64) -> Bool {
        mutex.withLock {
            let current = memory.load(fromByteOffset: Self.leaseHolderOffset, as: Int64.self)
            let expiry = memory.load(fromByteOffset: Self.leaseExpiryOffset, as: UInt64.self)
            guard current == Int64(holder) || current == 0 || expiry <= now else { return false }
            memory.storeBytes(of: Int64(holder), toByteOffset: Self.leaseHolderOffset, as: Int64.self)
            memory.storeBytes(of: now + duration, toByteOffset: Self.leaseExpiryOffset, as: UInt64.self)
            return true
        }
    }

    public func releaseSyncLease(holder: Int32) {
        mutex.withLock {
            guard memory.load(fromByteOffset: Self.leaseHolderOffset, as: Int64.self) == Int64(holder) else { return }
            memory.storeBytes(of: Int64(0), toByteOffset: Self.leaseHolderOffset, as: Int64.self)
        }
    }

    /// Takes every slot's hits that are not in the database yet (marking them pushed), and adds a
    /// read of the slots of `window` whose total could still change a decision (under `limit`).
    /// Sorted by bucket and window, so that the rounds of several servers lock rows in one order.
    public func takeUnpushed(refreshing window: Int64, limit: Int) -> [RateLimitPush] {
        var pushes: [RateLimitPush] = []
        mutex.withLock {
            for index in Set(usedSlots) {
                let slot = slot(index)
                guard !slot.isUnused else { continue }
                let unpushed = slot.localHits - slot.pushedHits
                let worthReading = slot.window == window && slot.localHits + slot.othersHits < limit
                guard unpushed > 0 || worthReading else { continue }
                slot.pushedHits = slot.localHits
                pushes.append(RateLimitPush(bucket: slot.name, window: slot.window, hits: unpushed, slot: index,
                                            generation: slot.generation))
            }
        }
        return pushes.sorted { ($0.bucket, $0.window) < ($1.bucket, $1.window) }
    }

    /// Records what the database's counter said after the round's write: the other servers'
    /// hits are its total less the hits this server has put there.
    public func settle(_ push: RateLimitPush, databaseHits: Int) {
        mutex.withLock {
            let slot = slot(push.slot)
            guard slot.generation == push.generation else { return }
            slot.othersHits = max(slot.othersHits, databaseHits - slot.pushedHits)
        }
    }

    /// Gives back the hits of a round whose write failed, for the next round.
    public func restore(_ pushes: [RateLimitPush]) {
        mutex.withLock {
            for push in pushes {
                let slot = slot(push.slot)
                guard slot.generation == push.generation else { continue }
                slot.pushedHits -= push.hits
            }
        }
    }
}
