/// A map from pairs of non-negative integers (a version id and a place number) to integers, for
/// the hundreds of thousands of lookups of a wide search: open addressing, linear probing and a
/// multiplicative hash, each entry's key and value side by side (one cache line per probe). The
/// standard Dictionary seeds SipHash for every key; that was a quarter of the time of a search
/// with 100,000 results.
///
/// Postings arrive sorted by (version, place) within each word and kind, so the table also
/// remembers the greatest pair added: a pair above it is known to be new without probing.
struct PairTable {
    private struct Entry {
        var first: Int
        var second: Int
        var value: Int
    }

    private var entries: [Entry]
    private var shift: Int
    private(set) var count = 0
    private var greatest: (Int, Int) = (-1, -1)

    /// Room for `capacity` pairs before the table grows.
    init(capacity: Int = 8) {
        var bits = 4
        while 1 << bits < capacity * 2 { bits += 1 }
        entries = Array(repeating: Entry(first: Self.empty, second: 0, value: 0), count: 1 << bits)
        shift = 64 - bits
    }

    private static let empty = -1

    subscript(first: Int, second: Int) -> Int? {
        if (first, second) > greatest { return nil }
        var index = slot(first, second)
        while true {
            let entry = entries[index]
            if entry.first == Self.empty { return nil }
            if entry.first == first && entry.second == second { return entry.value }
            index = (index + 1) & (entries.count - 1)
        }
    }

    /// Adds or replaces the value of (`first`, `second`), both ≥ 0.
    mutating func set(_ first: Int, _ second: Int, _ value: Int) {
        precondition(first >= 0 && second >= 0)
        if (count + 1) * 2 > entries.count { grow() }
        var index = slot(first, second)
        while entries[index].first != Self.empty && !(entries[index].first == first && entries[index].second == second) {
            index = (index + 1) & (entries.count - 1)
        }
        if entries[index].first == Self.empty { count += 1 }
        entries[index] = Entry(first: first, second: second, value: value)
        if (first, second) > greatest { greatest = (first, second) }
    }

    private func slot(_ first: Int, _ second: Int) -> Int {
        let mixed = (UInt64(bitPattern: Int64(first)) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(bitPattern: Int64(second)) &* 0xC2B2_AE3D_27D4_EB4F)
        return Int(truncatingIfNeeded: mixed >> UInt64(shift))
    }

    private mutating func grow() {
        let old = entries
        entries = Array(repeating: Entry(first: Self.empty, second: 0, value: 0), count: old.count * 2)
        shift -= 1
        count = 0
        for entry in old where entry.first != Self.empty { set(entry.first, entry.second, entry.value) }
    }
}
