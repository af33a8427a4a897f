import Foundation

/// One bucket's counters for one window, at a fixed place in the `RateLimitTable`'s shared memory.
/// Read and written only under the table's mutex. A slot whose `generation` is 0 was never used
/// (the memfd starts zeroed, so no initialisation is needed).
struct RateLimitSlot {
    /// Bytes of a bucket name a slot holds (the width of `rate_limit_counters.bucket`).
    static let nameCapacity = 128
    static let stride = 192

    private enum Field: Int {
        case generation, window, localHits, pushedHits, othersHits, hash, nameLength
    }
    private static let nameOffset = 7 * 8

    let base: UnsafeMutableRawPointer

    private func load(_ field: Field) -> Int64 { base.load(fromByteOffset: field.rawValue * 8, as: Int64.self) }
    private func store(_ field: Field, _ value: Int64) {
        base.storeBytes(of: value, toByteOffset: field.rawValue * 8, as: Int64.self)
    }

    /// Counts the slot's reuses: a sync round recognises the slot it took hits from.
    var generation: UInt64 {
        get { UInt64(bitPattern: load(.generation)) }
        nonmutating set { store(.generation, Int64(bitPattern: newValue)) }
    }
    /// Unix seconds at which the slot's window starts.
    var window: Int64 {
        get { load(.window) }
        nonmutating set { store(.window, newValue) }
    }
    /// Hits counted by this server in the window.
    var localHits: Int {
        get { Int(load(.localHits)) }
        nonmutating set { store(.localHits, Int64(newValue)) }
    }
    /// Of `localHits`, those already added to the database's counter (or being added by a round).
    var pushedHits: Int {
        get { Int(load(.pushedHits)) }
        nonmutating set { store(.pushedHits, Int64(newValue)) }
    }
    /// The other servers' hits in the window as of the last sync.
    var othersHits: Int {
        get { Int(load(.othersHits)) }
        nonmutating set { store(.othersHits, Int64(newValue)) }
    }
    var hash: UInt64 {
        get { UInt64(bitPattern: load(.hash)) }
        nonmutating set { store(.hash, Int64(bitPattern: newValue)) }
    }

    var isUnused: Bool { generation == 0 }

    func holds(_ name: UnsafeRawBufferPointer, hash: UInt64, window: Int64) -> Bool {
        guard self.hash == hash, self.window == window, Int(load(.nameLength)) == name.count else { return false }
        return name.isEmpty || memcmp(base + Self.nameOffset, name.baseAddress!, name.count) == 0
    }

    /// Makes the slot the bucket's for `window`, with no hits yet. The window is written last: a
    /// process killed halfway leaves a slot that matches nothing and is reused later.
    func claim(_ name: UnsafeRawBufferPointer, hash: UInt64, window: Int64) {
        generation &+= 1
        localHits = 0
        pushedHits = 0
        othersHits = 0
        self.hash = hash
        store(.nameLength, Int64(name.count))
        if !name.isEmpty { (base + Self.nameOffset).copyMemory(from: name.baseAddress!, byteCount: name.count) }
        self.window = window
    }

    var name: String {
        let bytes = UnsafeRawBufferPointer(start: base + Self.nameOffset, count: Int(load(.nameLength)))
        return String(decoding: bytes, as: UTF8.self)
    }
}
