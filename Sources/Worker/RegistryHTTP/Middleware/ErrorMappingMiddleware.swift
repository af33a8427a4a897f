import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistrySchemas
import RegistryStorage

/// The one place where an error becomes a status and a body: whatever the steps after it throw
/// (authentication's verdict, a validation failure, the domain's errors, the database) reaches
/// the steps before it as a response.
struct ErrorMappingMiddleware: Middleware {
    /// Production hides an unexpected error's text.
    let isProduction: Bool

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        next.respond(to: request, context: context).recover { [self] error in response(for: error, request, context) }
    }

    func response(for error: any Error, _ request: Request, _ context: RequestContext) -> Response {
        switch error {
        case let error as ErrorWithHeaders:
            var response = response(for: error.error, request, context)
            response.headers.replaceOrAdd(headers: error.headers)
            return response
        case let error as HTTPError:
            return error.response
        case let failure as ValidationFailure:
            return failure.response
        case let refusal as IncompatibleSchema:
            return .json(refusal.body, status: .conflict)
        case let error as RegistryError:
            switch error {
            case .badRequest(let detail): return .detail(detail, status: .badRequest)
            case .notFound(let detail): return .detail(detail, status: .notFound)
            case .conflict(let detail): return .detail(detail, status: .conflict)
            case .unprocessable(let detail): return .detail(detail, status: .unprocessableEntity)
            }
        case let error as DatabaseError:
            context.logger.error("database error", metadata: ["error": "\(error.message)", "path": "\(request.path)",
                                                              "correlation_id": "\(context.correlationID)"])
            return .detail("Database error occurred. Please try again later.", status: .serviceUnavailable)
        default:
            context.logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.path)",
                                                               "correlation_id": "\(context.correlationID)"])
            let text = isProduction ? "An unexpected error occurred. Please try again later." : "\(error)"
            return .detail(text, status: .internalServerError)
        }
    }
}
