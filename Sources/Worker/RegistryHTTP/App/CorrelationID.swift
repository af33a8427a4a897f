import Foundation
import NIOHTTP1
import NIOPosix

/// `X-Correlation-ID`, else `X-Request-ID`, else a new UUIDv4. A given id is kept only when it is
/// at most 200 characters (the limit common request-id conventions use) of `[A-Za-z0-9._:/+=-]`, so that it is safe in headers, logs and the
/// 255-character audit column (the reference echoes anything).
enum CorrelationID {
    static let maximumLength = 200

    static func resolve(_ headers: HTTPHeaders) -> String {
        for name in ["X-Correlation-ID", "X-Request-ID"] {
            if let value = headers.first(name: name), !value.isEmpty {
                return isAcceptable(value) ? value : generate()
            }
        }
        return generate()
    }

    /// A random (version 4) UUID in lower-case hex, built without Foundation's UUID and
    /// uppercase-then-lowercase string round trip: this runs on every request.
    static func generate() -> String {
        var high = FastRandom.next(), low = FastRandom.next()
        high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000   // version 4
        low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000     // RFC 4122 variant
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var index = 0
            func put(_ value: UInt64, nibbles: Int) {
                for shift in stride(from: (nibbles - 1) * 4, through: 0, by: -4) {
                    buffer[index] = hex[Int((value >> UInt64(shift)) & 0xF)]
                    index += 1
                }
            }
            func dash() { buffer[index] = UInt8(ascii: "-"); index += 1 }
            put(high >> 32, nibbles: 8); dash()
            put((high >> 16) & 0xFFFF, nibbles: 4); dash()
            put(high & 0xFFFF, nibbles: 4); dash()
            put(low >> 48, nibbles: 4); dash()
            put(low & 0xFFFF_FFFF_FFFF, nibbles: 12)
            return 36
        }
    }

    static func isAcceptable(_ value: String) -> Bool {
        value.utf8.count <= maximumLength && value.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: ":")
                || c == UInt8(ascii: "/") || c == UInt8(ascii: "+") || c == UInt8(ascii: "=")
                || c == UInt8(ascii: "-")
        }
    }
}

/// Random numbers for ids, per thread: a xoshiro256** state seeded once from the system's generator
/// (which costs a `getrandom(2)` call per number). Not for secrets: keys use the system's generator.
enum FastRandom {
    /// Touched only by the thread it belongs to.
    private final class State: @unchecked Sendable {
        var s: (UInt64, UInt64, UInt64, UInt64)

        init() {
            var system = SystemRandomNumberGenerator()
            s = (system.next(), system.next(), system.next(), system.next())
        }
    }

    private static let states = ThreadSpecificVariable<State>()

    static func next() -> UInt64 {
        let state: State
        if let existing = states.currentValue {
            state = existing
        } else {
            state = State()
            states.currentValue = state
        }
        func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
        let result = rotl(state.s.1 &* 5, 7) &* 9
        let t = state.s.1 << 17
        state.s.2 ^= state.s.0
        state.s.3 ^= state.s.1
        state.s.1 ^= state.s.2
        state.s.0 ^= state.s.3
        state.s.2 ^= t
        state.s.3 = rotl(state.s.3, 45)
        return result
    }
}
