import RegistryJSON

/// An operation's `responses`: one entry per status, ascending. Answers documented twice under
/// one status (a 422 of validation and a 422 of the JSON Schema check) become one entry whose
/// body is any of their schemas.
struct ResponseSet {
    private var byStatus: [(status: Int, responses: [ResponseDoc])] = []

    init(_ responses: [ResponseDoc]) {
        for response in responses {
            if let index = byStatus.firstIndex(where: { $0.status == response.status }) {
                byStatus[index].responses.append(response)
            } else {
                byStatus.append((response.status, [response]))
            }
        }
        byStatus.sort { $0.status < $1.status }
    }

    var json: JSONValue {
        var object = JSONObject()
        for (status, responses) in byStatus { object[String(status)] = Self.merge(responses) }
        return .object(object)
    }

    private static func merge(_ responses: [ResponseDoc]) -> JSONValue {
        var object: JSONObject = ["description": .string(responses.map(\.description).joined(separator: "; "))]
        var headers = JSONObject()
        for response in responses {
            for header in response.headers where headers[header.name] == nil {
                headers[header.name] = ["description": .string(header.description), "schema": ["type": "string"]]
            }
        }
        if !headers.isEmpty { object["headers"] = .object(headers) }
        var links = JSONObject()
        for response in responses {
            for link in response.links where links[link.name] == nil {
                links[link.name] = ["operationId": .string(link.operationID),
                                    "parameters": .object(JSONObject(link.parameters.map { ($0.0, JSONValue.string($0.1)) }))]
            }
        }
        if !links.isEmpty { object["links"] = .object(links) }

        var schemas: [JSONSchema] = []
        var content = JSONObject()
        for response in responses {
            switch response.content {
            case .json(let schema): if !schemas.contains(schema) { schemas.append(schema) }
            case .text(let mediaType): content[mediaType] = ["schema": ["type": "string"]]
            case .none: break
            }
        }
        if !schemas.isEmpty {
            let schema = schemas.count == 1 ? schemas[0] : .anyOf(schemas)
            content["application/json"] = ["schema": schema.json]
        }
        if !content.isEmpty { object["content"] = .object(content) }
        return .object(object)
    }
}
