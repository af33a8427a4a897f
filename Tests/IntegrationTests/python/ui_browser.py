"""Drives the web UI in Debian's Chromium (headless) with selenium: home -> namespace -> model ->
version -> diff -> check, saving a screenshot of each page, failing on a browser console error or
a failed request (status >= 400 or a network failure), on an axe-core violation of impact
"critical", on a JavaScript dialog (an XSS payload that ran), and when hostile text is not shown
as text. With --key, authentication is on: the first page must be the key prompt.

Usage: ui_browser.py BASE_URL SCREENSHOT_DIR [--key KEY]
Prints "ok <step>" per step; exits non-zero on the first failure.
"""

import json
import os
import sys

from axe_selenium_python import Axe
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

XSS_MODEL = "<script>alert('model')</script>"
XSS_NAMESPACE = "\" onmouseover=\"alert('ns')\" x=\""
XSS_DESCRIPTION = "javascript:alert('desc') <img src=x onerror=alert('img')>"
XSS_MESSAGE = "</td><script>alert('deprecated')</script>"


class Failure(Exception):
    pass


def main():
    base, shots = sys.argv[1], sys.argv[2]
    key = sys.argv[sys.argv.index("--key") + 1] if "--key" in sys.argv else None
    os.makedirs(shots, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1280,1000", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        run(driver, base, shots, key)
    finally:
        driver.quit()


def run(driver, base, shots, key):
    wait = WebDriverWait(driver, 20)

    def check_logs(step):
        """No console error, no failed request since the last step."""
        errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
        if errors:
            raise Failure(f"{step}: console errors: {errors}")
        for entry in driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.responseReceived":
                response = message["params"]["response"]
                if response["status"] >= 400:
                    raise Failure(f"{step}: {response['url']} answered {response['status']}")
            elif message["method"] == "Network.loadingFailed":
                params = message["params"]
                if not params.get("canceled"):
                    raise Failure(f"{step}: a request failed: {params.get('errorText')}")

    def no_dialog(step):
        try:
            alert = driver.switch_to.alert
            raise Failure(f"{step}: a dialog opened ({alert.text!r}): injected script ran")
        except NoAlertPresentException:
            pass

    def hostile_is_text(step):
        """Only the UI's own script element; no element an escaped payload would have made (read
        in one script call, so that a list being rebuilt cannot go stale under it)."""
        found = driver.execute_script("""
            return {
              scripts: Array.from(document.querySelectorAll('script')).map(s => s.getAttribute('src') || s.outerHTML),
              injected: document.querySelectorAll('img, svg, [onmouseover], [onerror]').length,
              jsLinks: Array.from(document.querySelectorAll('a[href]')).filter(a => /^\\s*javascript:/i.test(a.href)).length
            };""")
        if found["scripts"] != ["/ui/static/app.js"]:
            raise Failure(f"{step}: unexpected script elements: {found['scripts']}")
        if found["injected"] or found["jsLinks"]:
            raise Failure(f"{step}: an injected element or javascript: link is in the page: {found}")

    def accessible(step):
        axe = Axe(driver)
        axe.inject()
        results = axe.run()
        critical = [v for v in results["violations"] if v.get("impact") == "critical"]
        if critical:
            raise Failure(f"{step}: critical accessibility violations: {json.dumps(critical)[:2000]}")
        serious = [v["id"] for v in results["violations"] if v.get("impact") == "serious"]
        print(f"axe {step}: {len(results['violations'])} violations, none critical; serious: {serious}")

    def page(step, title_text):
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), title_text))
        no_dialog(step)
        hostile_is_text(step)
        accessible(step)
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(os.path.join(shots, f"{step}.png"))
        check_logs(step)
        print(f"ok {step}")

    def click_link(text):
        wait.until(EC.element_to_be_clickable((By.LINK_TEXT, text))).click()

    driver.get(base + "/ui")
    if key is not None:
        form = wait.until(EC.visibility_of_element_located((By.ID, "key-form")))
        if "Order" in driver.page_source or "shop" in driver.find_element(By.ID, "main").text:
            raise Failure("the key prompt shows data")
        driver.save_screenshot(os.path.join(shots, "key-prompt.png"))
        accessible("key-prompt")
        driver.find_element(By.ID, "api-key").send_keys(key)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), "Schemas"))
        stored = driver.execute_script("return sessionStorage.getItem('pyrmute-registry-api-key')")
        if stored != key:
            raise Failure("the key is not in sessionStorage")
        if key in driver.current_url or driver.get_cookies():
            raise Failure("the key is in the URL or a cookie")
        print("ok key-prompt")

    page("home", "Schemas")
    if not driver.find_elements(By.LINK_TEXT, XSS_NAMESPACE):
        raise Failure("home: the hostile namespace is not shown as text")
    search = driver.find_element(By.ID, "search")
    # Read the results in one script call: the list is rebuilt while the debounced answers arrive.
    results_js = ("return Array.from(document.querySelectorAll('#search-results li a')).map(a => a.textContent)"
                  ".concat(Array.from(document.querySelectorAll('#search-results p')).map(p => p.textContent))")
    search.send_keys("Ord")
    wait.until(lambda d: any(text.startswith("shop::Order@") for text in d.execute_script(results_js)))
    search.clear()
    search.send_keys("alert")
    wait.until(lambda d: any("alert" in text or "No match" in text for text in d.execute_script(results_js)))
    no_dialog("search")
    hostile_is_text("search")
    driver.save_screenshot(os.path.join(shots, "search.png"))
    check_logs("search")
    print("ok search")

    click_link("shop")
    page("namespace", "Namespace shop")
    if not driver.find_elements(By.LINK_TEXT, XSS_MODEL):
        raise Failure("namespace: the hostile model name is not shown as text")

    click_link("Order")
    page("model", "Model Order")
    if XSS_MESSAGE not in driver.find_element(By.CSS_SELECTOR, "table.versions").text:
        raise Failure("model: the deprecation message is not shown as text")

    click_link("2.0.0")
    page("version", "Order 2.0.0")
    if XSS_DESCRIPTION not in driver.find_element(By.CSS_SELECTOR, "ul.tree").text:
        raise Failure("version: the description is not shown as text")
    section = driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby='json-title']")
    section.find_element(By.CSS_SELECTOR, "button.fold-all").click()
    if any(d.get_attribute("open") is not None for d in section.find_elements(By.CSS_SELECTOR, ".tree details")):
        raise Failure("version: collapse all left a branch open")
    section.find_element(By.CSS_SELECTOR, "button.unfold-all").click()
    section.find_element(By.CSS_SELECTOR, "details.raw summary").click()
    section.find_element(By.CSS_SELECTOR, "button.copy").click()
    wait.until(lambda d: section.find_element(By.CSS_SELECTOR, ".copied").text != "")
    driver.save_screenshot(os.path.join(shots, "version-json.png"))
    check_logs("version-tools")
    print("ok version-tools")

    click_link("Compare with 1.1.0")
    page("diff", "Compare Order 1.1.0")
    Select(driver.find_element(By.ID, "level")).select_by_value("BACKWARD")
    driver.find_element(By.CSS_SELECTOR, "form.compare button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "p.verdict"), "Breaking"))
    page("diff-backward", "Compare Order 1.1.0")

    click_link("Order")
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), "Model Order"))
    click_link("Check a schema")
    page("check-form", "Check a schema against Order")
    textarea = driver.find_element(By.ID, "check-json")
    textarea.clear()
    textarea.send_keys('{"type": "object", "properties": {"id": {"type": "string"}}}')
    Select(driver.find_element(By.ID, "level")).select_by_value("FULL")
    driver.find_element(By.CSS_SELECTOR, "form.check button[type=submit]").click()
    wait.until(EC.text_to_be_present_in_element((By.ID, "check-result"), "Incompatible at FULL"))
    page("check", "Check a schema against Order")

    # The hostile namespace and model pages, reached by their links.
    click_link(driver.find_element(By.CSS_SELECTOR, "header a.brand").text)
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), "Schemas"))
    click_link(XSS_NAMESPACE)
    page("hostile-namespace", "Namespace")
    driver.back()
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), "Schemas"))
    click_link("shop")
    wait.until(EC.text_to_be_present_in_element((By.CSS_SELECTOR, "main h1"), "Namespace shop"))
    click_link(XSS_MODEL)
    page("hostile-model", "Model")
    print("ok done")


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"FAIL {failure}")
        sys.exit(1)
