"""Drives the server with the Python client users already have (pyrmute-registry 0.0.1).

Usage: client_roundtrip.py BASE_URL. Prints one "ok <step>" line per step; any failure raises.
"""

import sys

from pyrmute_registry import RegistryClient
from pyrmute_registry.exceptions import SchemaConflictError, SchemaNotFoundError

base_url = sys.argv[1]
v1 = {"type": "object", "properties": {"name": {"type": "string"}, "fax": {"type": "string"}}, "required": ["name"]}
v2 = {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}, "required": ["name", "age"]}

with RegistryClient(base_url) as client:
    assert client.health_check() is True
    detailed = client.health_check(detailed=True)
    assert detailed["status"] == "healthy" and detailed["schemas_count"] == 0, detailed
    print("ok health")

    created = client.register_schema("User", "1.0.0", v1, "svc", namespace="accounts", metadata={"team": "id"})
    assert created["namespace"] == "accounts" and created["json_schema"] == v1 and created["meta"] == {"team": "id"}, created
    client.register_schema("User", "2.0.0", v2, "svc", namespace="accounts")
    client.register_schema("User", "1.0.0", v1, "svc")  # global
    print("ok register")

    try:
        client.register_schema("User", "1.0.0", v1, "svc", namespace="accounts")
        raise AssertionError("duplicate accepted")
    except SchemaConflictError:
        pass
    replaced = client.register_schema("User", "1.0.0", v2, "svc", namespace="accounts", allow_overwrite=True)
    assert replaced["id"] == created["id"] and replaced["json_schema"] == v2
    client.register_schema("User", "1.0.0", v1, "svc", namespace="accounts", allow_overwrite=True)
    print("ok conflict")

    assert client.get_schema("User", "1.0.0", namespace="accounts")["json_schema"] == v1
    assert client.get_schema("User", "1.0.0")["namespace"] is None
    assert client.get_latest_schema("User", namespace="accounts")["version"] == "2.0.0"
    assert client.list_versions("User", namespace="accounts") == ["1.0.0", "2.0.0"]
    try:
        client.get_schema("User", "9.9.9", namespace="accounts")
        raise AssertionError("missing version found")
    except SchemaNotFoundError:
        pass
    print("ok get")

    listing = client.list_schemas()
    assert listing["total"] == 2, listing
    assert {(s["namespace"], s["model_name"]) for s in listing["schemas"]} == {(None, "User"), ("accounts", "User")}
    only_global = client.list_schemas(namespace="null")
    assert [s["namespace"] for s in only_global["schemas"]] == [None], only_global
    print("ok list")

    diff = client.compare_schemas("User", "1.0.0", "2.0.0", namespace="accounts")
    changes = diff["changes"]
    assert changes["properties_added"] == ["age"] and changes["properties_removed"] == ["fax"], changes
    assert changes["required_added"] == ["age"] and changes["compatibility"] == "breaking", changes
    print("ok compare")

    deprecated = client.deprecate_schema("User", "1.0.0", namespace="accounts", message="use 2.0.0")
    assert deprecated["deprecated"] is True and deprecated["deprecation_message"] == "use 2.0.0"
    deleted = client.delete_schema("User", "1.0.0", force=True)
    assert deleted == {"deleted": True, "namespace": None, "model_name": "User", "version": "1.0.0"}, deleted
    print("ok deprecate-delete")
