import Foundation
import RegistryJSON

/// The `GET /schemas` items a worker built, by model (and by whether deprecated versions were
/// left out), each valid for one `revision` of the model's row in `schema_models`. The triggers of
/// migration 6 draw a new revision whenever anything an item shows changes, whoever writes, so a
/// page whose models all still have the revisions of their cached items is answered from them,
/// without reading the versions again. At most `capacity` items per process (emptied when full).
final class ListingItemCache: @unchecked Sendable {
    static let shared = ListingItemCache()
    static let capacity = 2000

    struct ModelKey: Hashable, Sendable {
        var namespaced: Bool
        var nsKey: String
        var model: String
    }

    struct PageModel: Sendable {
        var key: ModelKey
        var revision: Int64
    }

    private struct Key: Hashable {
        var model: ModelKey
        var live: Bool
    }

    private let lock = NSLock()
    private var entries: [Key: (revision: Int64, item: JSONValue)] = [:]

    /// The items of every model of the page, or nil if one of them is missing or stale.
    func items(for page: [PageModel], live: Bool) -> [JSONValue]? {
        lock.withLock {
            var items: [JSONValue] = []
            items.reserveCapacity(page.count)
            for model in page {
                guard let entry = entries[Key(model: model.key, live: live)], entry.revision == model.revision else { return nil }
                items.append(entry.item)
            }
            return items
        }
    }

    /// Keeps the items built for the page's models (an item whose model is not on the page is not kept).
    func store(_ items: [JSONValue], page: [PageModel], live: Bool) {
        var revisions: [ModelKey: Int64] = [:]
        for model in page { revisions[model.key] = model.revision }
        lock.withLock {
            if entries.count + items.count > Self.capacity { entries.removeAll(keepingCapacity: true) }
            for item in items {
                let namespace = item["namespace"]?.stringValue
                let key = ModelKey(namespaced: namespace != nil, nsKey: namespace ?? "", model: item["model_name"]?.stringValue ?? "")
                guard let revision = revisions[key] else { continue }
                entries[Key(model: key, live: live)] = (revision, item)
            }
        }
    }
}
