/// The groups operations are listed under, in the order the document lists them.
enum OpenAPITag: String, CaseIterable, Sendable {
    case root
    case health
    case schemas
    case compatibility
    case discovery
    case apiKeys = "api-keys"
    case events
    case webhooks
    case audit
    case metrics
    case docs
    case ui

    var description: String {
        switch self {
        case .root: return "Name, version and where to look next"
        case .health: return "Liveness and readiness probes"
        case .schemas: return "Register, read, compare, deprecate and delete schema versions"
        case .compatibility: return "Compatibility levels at the server, namespace and model scopes, and the dry-run check"
        case .discovery: return "Canonical forms and fingerprints, lookup by content, search by name, field and text"
        case .apiKeys: return "API key management (admin)"
        case .events: return "The change feed: every change in commit order, to poll with `after=`"
        case .webhooks: return "Signed webhooks (Standard Webhooks) that deliver the change events (admin)"
        case .audit: return "The audit trail of mutating requests (admin)"
        case .metrics: return "Request, worker and database metrics of the whole server"
        case .docs: return "This document and the pages that show it"
        case .ui: return "The web UI: HTML pages to browse, diff and check schemas (absent in production unless ENABLE_UI)"
        }
    }
}
