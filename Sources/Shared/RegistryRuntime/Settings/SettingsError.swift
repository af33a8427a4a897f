
/// An invalid setting: start-up stops with this message, which names the variable.
public struct SettingsError: Error, CustomStringConvertible, Sendable {
    public let variable: String
    public let value: String
    public let expected: String

    public var description: String {
        "Invalid value for \(variable): '\(value)' (expected \(expected))"
    }
}
