
/// A refusal the HTTP layer turns into a status and `{"detail": …}`.
public enum RegistryError: Error, Equatable {
    case badRequest(String)
    case notFound(String)
    case conflict(String)
    case unprocessable(String)
}
