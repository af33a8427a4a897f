/// FNV-1a, 64 bits: a fast, stable (unseeded) hash for bucketing and tagging, not for secrets.
///
/// Inlinable: callers in other modules hash response bodies byte by byte, and an unspecialised
/// generic `Sequence` costs a witness call per byte (ten times the hash itself).
public struct FNV1a {
    @usableFromInline var state: UInt64 = 0xcbf2_9ce4_8422_2325

    public var value: UInt64 { state }

    @inlinable public init() {}

    @inlinable public mutating func add(_ byte: UInt8) {
        state ^= UInt64(byte)
        state = state &* 0x0000_0100_0000_01b3
    }

    @inlinable public mutating func add<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes { add(byte) }
    }

    @inlinable public static func hash<S: Sequence>(_ bytes: S) -> UInt64 where S.Element == UInt8 {
        var hasher = FNV1a()
        hasher.add(bytes)
        return hasher.value
    }
}
