/// Where an event sits in the feed: `(xid, seq)`, ordered by `xid` then `seq` (docs/events.md).
/// SQLite: `xid` is always 0. The public event id encodes the position, so `after=<id>` needs no
/// lookup and stays valid after the event itself has been pruned.
public struct EventPosition: Sendable, Hashable, Comparable {
    public let xid: Int64
    public let seq: Int64

    public init(xid: Int64, seq: Int64) {
        self.xid = xid
        self.seq = seq
    }

    /// Before every event.
    public static let start = EventPosition(xid: 0, seq: 0)

    public static func < (a: EventPosition, b: EventPosition) -> Bool { (a.xid, a.seq) < (b.xid, b.seq) }

    /// `evt_` + 16 hex digits of `xid` + 16 of `seq`: fixed width, so ids sort as positions do.
    public var id: String { "evt_" + Self.hex(xid) + Self.hex(seq) }

    public init?(id: String) {
        guard id.hasPrefix("evt_"), id.utf8.count == 36 else { return nil }
        let digits = id.dropFirst(4)
        guard let xid = UInt64(digits.prefix(16), radix: 16), let seq = UInt64(digits.suffix(16), radix: 16),
              xid <= UInt64(Int64.max), seq <= UInt64(Int64.max) else { return nil }
        self.init(xid: Int64(xid), seq: Int64(seq))
    }

    private static func hex(_ v: Int64) -> String {
        let text = String(UInt64(bitPattern: v), radix: 16)
        return String(repeating: "0", count: max(0, 16 - text.count)) + text
    }
}
