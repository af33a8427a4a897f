import Crypto

enum Hex {
    private static let digits = Array("0123456789abcdef")

    static func byte(_ value: UInt8) -> String {
        String([digits[Int(value >> 4)], digits[Int(value & 0x0f)]])
    }

    /// Lower-case hex of the SHA-256 of the text's UTF-8 bytes.
    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map(byte).joined()
    }
}
