public enum JSONSchemaCheck { public static func metaSchemaError(_ schema: JSONValue) -> String? { nil } }
