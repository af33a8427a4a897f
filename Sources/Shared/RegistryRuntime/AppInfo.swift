
/// Constants of the product itself.
public enum AppInfo {
    public static let repository = "https://github.com/mferrera/pyrmute-registry"
    /// The version of this server program (not `APP_VERSION`, which is the registry's own label).
    public static let serverVersion = "0.1.0"
}
