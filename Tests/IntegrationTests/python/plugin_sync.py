"""The Python client's plugin (pyrmute-registry 0.0.1) as a service uses it: a pyrmute ModelManager
whose decorated Pydantic models register themselves at definition, with fail_on_error=True, so any
refusal (an unhealthy /health at start-up included) raises.

Usage: plugin_sync.py BASE_URL. Prints one "ok <step>" line per step; any failure raises.
"""

import sys
import warnings

from pydantic import BaseModel
from pyrmute import ModelManager
from pyrmute_registry import RegistryPlugin

warnings.simplefilter("error")  # a warning (e.g. "registry is unhealthy") fails the script
base_url = sys.argv[1]

manager = ModelManager()
plugin = RegistryPlugin(manager, registry_url=base_url, namespace="orders", fail_on_error=True)
assert plugin.health_check()["registry_healthy"] is True
print("ok healthy")


@manager.model("Order", "1.0.0")
class OrderV1(BaseModel):
    id: str
    total: float


@manager.model("Order", "2.0.0")
class OrderV2(BaseModel):
    id: str
    total: float
    currency: str = "EUR"


@manager.model("Customer", "1.0.0")
class CustomerV1(BaseModel):
    name: str


print("ok registered")
status = plugin.sync_with_registry()
assert status["in_sync"] is True, status
print("ok in_sync")
registered = plugin.get_registry_schema("Order", "2.0.0")
assert "currency" in registered["json_schema"]["properties"], registered
print("ok fetched")
plugin.close()
