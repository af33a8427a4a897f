import RegistryCompatibility
import RegistryJSON
import XCTest

/// A pydantic-style model changed in several ways at once.
final class JSONSchemaScenarioTests: XCTestCase {
    func testUserModelEvolution() throws {
        let old = try JSONParser.parse(#"""
        {"title":"User","type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string","maxLength":50},
         "age":{"type":"number","minimum":0},"email":{"anyOf":[{"type":"string","format":"email"},{"type":"null"}],"default":null},
         "tags":{"type":"array","items":{"type":"string"}},"address":{"$ref":"#/$defs/Address"},"role":{"enum":["admin","user"]}},
         "required":["id","name"],"additionalProperties":false,
         "$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"},"zip":{"type":"string"}},"required":["city"]}}}
        """#)
        let new = try JSONParser.parse(#"""
        {"title":"User","type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string","maxLength":40},
         "age":{"type":"integer","minimum":0},"email":{"type":"string","format":"email"},
         "tags":{"type":"array","items":{"type":"string"},"uniqueItems":true},"address":{"$ref":"#/$defs/Address"},"role":{"enum":["admin","user","guest"]},
         "nickname":{"type":"string"}},
         "required":["id","name","age"],"additionalProperties":false,
         "$defs":{"Address":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}}}
        """#)
        let cs = JSONSchemaCompatibility.changes(old: old, new: new)
        XCTAssertEqual(cs.map { "\($0.code) \($0.path) \($0.breaksBackward) \($0.breaksForward)" }, [
            "MAX_LENGTH_DECREASED #/properties/name/maxLength true false",
            "TYPE_NARROWED #/properties/age true false",
            "ANNOTATION_CHANGED #/properties/email/default false false",
            "COMPOSITION_BRANCH_REMOVED #/properties/email/anyOf/1 true false",
            "UNIQUE_ITEMS_ADDED #/properties/tags/uniqueItems true false",
            "PROPERTY_REMOVED #/properties/address/properties/zip true false",
            "ADDITIONAL_PROPERTIES_NARROWED #/properties/address/additionalProperties true false",
            "ENUM_VALUE_ADDED #/properties/role/enum false true",
            "PROPERTY_ADDED #/properties/nickname false true",
            "REQUIRED_ADDED #/required true false",
        ])
        XCTAssertEqual(cs.map(\.description), [
            "Property 'name' maximum length decreased from 50 to 40",
            "Property 'age' type narrowed from number to integer",
            "Property 'email' default removed",
            "Property 'email': anyOf branch 1 removed ({\"type\":\"null\"})",
            "Property 'tags' items must now be unique",
            "Property 'address.zip' removed (closed content model, additionalProperties false: it is rejected now)",
            "Property 'address' additional properties narrowed (open → closed)",
            "Property 'role' enum value \"guest\" added",
            "Property 'nickname' added (closed content model, additionalProperties false: it was rejected before)",
            "Property 'age' is now required",
        ])
        // The reverse direction swaps every flag.
        let back = JSONSchemaCompatibility.changes(old: new, new: old)
        XCTAssertTrue(back.contains { $0.code == "TYPE_WIDENED" && $0.path == "#/properties/age" && !$0.breaksBackward && $0.breaksForward })
        XCTAssertTrue(back.contains { $0.code == "REQUIRED_REMOVED" && $0.breaksForward && !$0.breaksBackward })
    }
}
