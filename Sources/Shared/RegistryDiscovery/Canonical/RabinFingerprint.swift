/// CRC-64-AVRO, the 64-bit Rabin fingerprint of the Avro specification ("Schema Fingerprints").
public enum RabinFingerprint {
    /// The fingerprint of no bytes, and the polynomial's reflected constant.
    public static let empty: UInt64 = 0xc15d_213a_a4d7_a795

    private static let table: [UInt64] = (0..<256).map { byte in
        var fingerprint = UInt64(byte)
        for _ in 0..<8 { fingerprint = (fingerprint >> 1) ^ (empty & (0 &- (fingerprint & 1))) }
        return fingerprint
    }

    public static func fingerprint(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var fingerprint = empty
        for byte in bytes { fingerprint = (fingerprint >> 8) ^ table[Int((fingerprint ^ UInt64(byte)) & 0xff)] }
        return fingerprint
    }

    /// The 8 bytes least significant first (the order of Avro's single-object encoding header), in hex.
    public static func littleEndianHex(_ fingerprint: UInt64) -> String {
        (0..<8).map { Hex.byte(UInt8(truncatingIfNeeded: fingerprint >> (8 * $0))) }.joined()
    }
}
