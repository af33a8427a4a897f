import RegistrySchemas

/// The two spellings of a model in a path: `/schemas/{namespace}/{model_name}/…`, or
/// `/schemas/{model_name}/…?namespace=` (absent: the global model).
enum ModelPathForm: Sendable { case namespaced, global }

extension QueryParameters {
    mutating func modelKey(_ form: ModelPathForm) -> ModelKey {
        switch form {
        case .namespaced:
            let namespace = pathSegment("namespace")
            return ModelKey(namespace: namespace, model: pathSegment("model_name"))
        case .global:
            let model = pathSegment("model_name")
            return ModelKey(namespace: string("namespace", maximumLength: 255), model: model)
        }
    }
}
