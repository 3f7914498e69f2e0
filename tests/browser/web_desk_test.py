"""The web desk in headless Chromium against duband on loopback.

Run by CTest (tests/CMakeLists.txt):
  web_desk_test.py --duband=PATH --source=SRC --out=BUILD/screenshots
Each scenario leaves screenshots in --out. duband runs in the local
development mode (--dev_accounts): every unit, office and leader of the demo
plan has an account whose password is in <data>/dev-credentials.txt; the
browser logs in with it, and direct calls carry the account's bearer token.
"""
import argparse
import base64
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None


def time_scale():
    """How many times longer than usual the test waits: DUBAN_TEST_TIME_SCALE,
    a number from 1 to 100 (1 when unset or not such a number); set by
    scripts/sanitize.sh, as sanitized code runs several times slower."""
    try:
        v = float(os.environ.get("DUBAN_TEST_TIME_SCALE", "1"))
    except ValueError:
        return 1.0
    return v if 1 <= v <= 100 else 1.0


SCALE = time_scale()
WAIT = 30 * SCALE


def make_photo(driver, path, label="现场"):
    """Writes a real JPEG photo drawn by the browser itself (a canvas).
    Files are stored by content: each label makes a different file."""
    data = driver.execute_script("""
        const c = document.createElement('canvas'); c.width = 160; c.height = 120;
        const g = c.getContext('2d');
        g.fillStyle = '#8bc34a'; g.fillRect(0, 0, 160, 120);
        g.fillStyle = '#b71c1c'; g.fillRect(20, 20, 120, 50);
        g.fillStyle = '#fff'; g.font = '20px sans-serif'; g.fillText(arguments[0], 55, 52);
        return c.toDataURL('image/jpeg', 0.9).split(',')[1];""", label)
    with open(path, "wb") as f:
        f.write(base64.b64decode(data))


class Daemon:
    def __init__(self, workdir):
        self.workdir = workdir
        self.proc = None
        self.http = None

    def start(self):
        port_file = os.path.join(self.workdir, "grpc.port")
        http_file = os.path.join(self.workdir, "http.port")
        src = ARGS.source
        args = [ARGS.duband, "--config=" + os.path.join(src, "config/duband.yaml"),
                "--data_dir=" + os.path.join(self.workdir, "data"),
                "--listen=127.0.0.1:0", "--port_file=" + port_file,
                "--http_listen=127.0.0.1:0", "--http_port_file=" + http_file,
                "--web_dir=" + os.path.join(src, "web"), "--dev_accounts",
                # Just after every demo task's due date: the tasks are red.
                "--clock=simulated", "--clock_start=2024-01-15T09:00:00+08:00"]
        self.log = open(os.path.join(self.workdir, "duband.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120 * SCALE
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("duband exited; see " + self.log.name)
            try:
                with open(http_file) as f:
                    self.http = int(f.read().strip())
                return
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError("duband did not start")

    def url(self, path=""):
        return "http://127.0.0.1:%d/%s" % (self.http, path)

    def password(self, account):
        with open(os.path.join(self.workdir, "data", "dev-credentials.txt")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[0] == account:
                    return parts[1]
        raise KeyError("no development account " + account)

    def token(self, account):
        """Logs the account in through the gateway; its bearer token."""
        status, body = self.rpc("AuthService/Login", {"accountId": account, "password": self.password(account)})
        if status != 200:
            raise RuntimeError("login %s: %s" % (account, body))
        return body["token"]

    def rpc(self, method, body, account=None):
        req = urllib.request.Request(self.url("duban.v1." + method), data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        if account:
            req.add_header("Authorization", "Bearer " + self.token(account))
        try:
            with urllib.request.urlopen(req, timeout=60 * SCALE) as r:
                return r.status, json.loads(r.read() or b"{}")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"{}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30 * SCALE)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class WebDeskTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="duban-web-")
        os.makedirs(ARGS.out, exist_ok=True)
        cls.daemon = Daemon(cls.tmp)
        cls.daemon.start()
        opts = webdriver.ChromeOptions()
        opts.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                  "--user-data-dir=" + os.path.join(cls.tmp, "chromium-profile"), "--window-size=1280,900",
                  "--lang=zh-CN"]:
            opts.add_argument(a)
        service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver")
        cls.driver = webdriver.Chrome(service=service, options=opts)
        cls.driver.set_page_load_timeout(60 * SCALE)
        cls.driver.get(cls.daemon.url(""))
        cls.photo = os.path.join(cls.tmp, "现场照片.jpg")
        make_photo(cls.driver, cls.photo)
        # Another unit's own photo: not the same content as swj's (a file
        # attached to swj's task is swj's to see, whoever else uploads it).
        cls.other_photo = os.path.join(cls.tmp, "住建现场.jpg")
        make_photo(cls.driver, cls.other_photo, "住建")

    @classmethod
    def tearDownClass(cls):
        try:
            cls.driver.quit()
        finally:
            cls.daemon.stop()
            if not os.environ.get("DUBAN_KEEP_TEST_DIRS"):
                shutil.rmtree(cls.tmp, ignore_errors=True)

    # ---- helpers

    def shot(self, name):
        self.driver.save_screenshot(os.path.join(ARGS.out, name + ".png"))

    def wait(self, cond, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout).until(cond)
        except TimeoutException:
            self.shot("failed-" + self.id().split(".")[-1])
            main = self.driver.find_element(By.ID, "main").text
            raise AssertionError("timed out; the page shows: " + main[:2000])

    def css(self, selector):
        return self.wait(EC.presence_of_element_located((By.CSS_SELECTOR, selector)))

    def click(self, selector):
        el = self.wait(EC.element_to_be_clickable((By.CSS_SELECTOR, selector)))
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
        el.click()

    def login(self, account):
        d = self.driver
        d.get(self.daemon.url(""))
        d.execute_script("sessionStorage.clear(); location.hash = '';")
        d.refresh()
        self.css("#account").send_keys(account)
        self.css("#password").send_keys(self.daemon.password(account))
        self.click("#login-submit")
        self.wait(lambda drv: drv.find_element(By.ID, "who").text != "" and
                  drv.find_element(By.ID, "main").get_attribute("data-route") not in (None, ""))

    def go(self, route):
        self.driver.execute_script(
            "document.getElementById('main').dataset.route = '';"
            "if (location.hash === '#/' + arguments[0]) window.dispatchEvent(new HashChangeEvent('hashchange'));"
            "else location.hash = '#/' + arguments[0];", route)
        self.wait(lambda drv: drv.find_element(By.ID, "main").get_attribute("data-route") == route)

    def attr(self, selector, name):
        """An attribute read in one step in the page (the page re-renders)."""
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.getAttribute(arguments[1]) : null;",
            selector, name)

    def text(self, selector):
        return self.driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.textContent : '';", selector)

    def task_state(self):
        self.css("#task-title")
        return self.attr("#task-title", "data-state")

    def wait_state(self, state):
        self.wait(lambda drv: self.attr("#task-title", "data-state") == state)

    def report(self, text, with_photo):
        form = self.css("#report-form")
        form.find_element(By.NAME, "workDone").send_keys(text)
        form.find_element(By.NAME, "indicator").send_keys("新能源汽车销售额增长")
        form.find_element(By.NAME, "value").send_keys("22")
        form.find_element(By.NAME, "uom").send_keys("%")
        if with_photo:
            form.find_element(By.ID, "evidence-files").send_keys(self.photo)
        self.click("#report-submit")

    # ---- the five scenarios (run in order on one daemon)

    def test_1_unit_reports_with_a_photo(self):
        self.login("swj")
        self.go("task/T1")
        if self.task_state() == "TASK_STATE_ASSIGNED":
            self.click("#accept")
            self.wait_state("TASK_STATE_ACCEPTED")
        self.report("开展促消费活动12场", with_photo=True)
        self.wait_state("TASK_STATE_IN_PROGRESS")
        self.wait(lambda drv: drv.execute_script(
            "const i = document.querySelector('#history img[data-sha256]'); return i ? i.naturalWidth : 0;") > 0)
        self.shot("1-unit-report-with-photo")
        status, listed = self.daemon.rpc("EvidenceService/ListEvidence", {"taskId": "T1"}, "swj")
        self.assertEqual(status, 200)
        self.assertEqual(listed["files"][0]["contentType"], "image/jpeg")

    def test_2_office_returns_then_approves(self):
        self.login("swj")
        self.go("task/T1")
        self.click("#request-completion")
        self.wait_state("TASK_STATE_COMPLETION_REQUESTED")
        self.login("office")
        self.go("office")
        self.css("#review-queue tr[data-task='T1']")
        self.shot("2a-office-review-queue")
        self.go("task/T1")
        self.css("#return-reason").send_keys("缺少活动成效数据")
        self.click("#return")
        self.wait_state("TASK_STATE_IN_PROGRESS")
        self.login("swj")
        self.go("task/T1")
        self.css("#last-reason")
        self.assertIn("缺少活动成效数据", self.text("#last-reason"))
        self.report("补充12场活动成效数据，带动消费约1.2亿元", with_photo=False)
        self.wait(lambda drv: "补充12场" in self.text("#history"))
        self.click("#request-completion")
        self.wait_state("TASK_STATE_COMPLETION_REQUESTED")
        self.login("office")
        self.go("task/T1")
        self.click("#approve")
        self.wait_state("TASK_STATE_COMPLETION_LEADER_REVIEW")
        self.login("huang-tao")
        self.go("task/T1")
        self.click("#approve")
        self.wait_state("TASK_STATE_COMPLETED")
        history = self.text("#history")
        for word in ["退回", "缺少活动成效数据", "审核通过", "报送进展"]:
            self.assertIn(word, history)
        self.shot("2b-task-history-completed")

    def test_3_supervisor_escalates_a_red_task_shown_on_the_map(self):
        self.login("supervisor")
        self.go("map")
        self.css("a.chip[data-task='T10']")
        self.assertEqual(self.attr("a.chip[data-task='T10']", "data-warning"), "WARNING_LEVEL_RED")
        self.assertEqual(self.attr("a.chip[data-task='T10']", "data-supervised"), "no")
        self.go("office")
        self.css("#escalate-T10-reason").send_keys("逾期未完成，挂牌督办")
        self.click("#escalate-T10")
        row = self.css("section[data-level] tr[data-subject='T10']")
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", row)
        self.shot("3a-office-supervision-levels")
        self.go("map")
        self.css("a.chip[data-task='T10']")
        self.assertEqual(self.attr("a.chip[data-task='T10']", "data-supervised"), "yes")
        self.shot("3b-battle-map")

    def test_4_unit_cannot_open_another_units_desk_task_or_file(self):
        # zjj reports on its own task T2 with a file.
        sha = self.upload_as("zjj", "T2")
        self.login("swj")
        self.go("task/T2")
        self.css("#main .error")
        # Another unit's task is hidden: the permission table answers NOT_FOUND
        # (tests/auth_matrix_test.cc's 'N'), and the page shows nothing of it.
        self.assertEqual(self.attr("#main .error", "data-error"), "not_found")
        self.assertEqual(len(self.driver.find_elements(By.ID, "task-title")), 0)
        self.shot("4a-other-units-task")
        self.go("desk/zjj")
        self.css("#main .error")
        self.assertEqual(self.attr("#main .error", "data-error"), "permission_denied")
        self.shot("4b-other-units-desk")
        self.go("file/" + sha)
        self.css("#main .error")
        self.assertEqual(self.attr("#main .error", "data-error"), "permission_denied")
        self.assertEqual(len(self.driver.find_elements(By.CSS_SELECTOR, "#main img")), 0)
        self.shot("4c-other-units-file")
        # The owner sees it.
        self.login("zjj")
        self.go("file/" + sha)
        self.css("#main img[data-sha256='%s']" % sha)

    def upload_as(self, unit, task):
        boundary = "duban-test-boundary"
        with open(self.other_photo, "rb") as f:
            content = f.read()
        body = (("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n"
                 "Content-Type: image/jpeg\r\n\r\n" % boundary).encode() + content +
                ("\r\n--%s--\r\n" % boundary).encode())
        req = urllib.request.Request(self.daemon.url("duban.v1.EvidenceService/Upload"), data=body, headers={
            "Content-Type": "multipart/form-data; boundary=" + boundary,
            "Authorization": "Bearer " + self.daemon.token(unit)})
        with urllib.request.urlopen(req, timeout=60 * SCALE) as r:
            sha = json.loads(r.read())["sha256"]
        self.assertEqual(self.daemon.rpc("TaskService/AcceptTask", {"taskId": task}, unit)[0], 200)
        status, body = self.daemon.rpc("TaskService/ReportProgress", {
            "taskId": task, "report": {"workDone": "保交楼推进", "evidence": [{"sha256": sha}]}}, unit)
        self.assertEqual(status, 200, body)
        return sha

    def test_5_phone_sized_desk(self):
        d = self.driver
        d.set_window_size(390, 844)
        try:
            self.login("swj")
            self.go("desk")
            self.css("#desk-tasks tr[data-task='T1']")
            overflow = d.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            self.assertLessEqual(overflow, 1)
            self.shot("5-phone-unit-desk")
        finally:
            d.set_window_size(1280, 900)

    def test_6_unit_submits_an_obligation_with_a_file(self):
        self.login("swj")
        self.go("desk")
        box = self.css("textarea[id^='ob-text-']")
        ob = box.get_attribute("id")[len("ob-text-"):]
        box.send_keys("本期工作情况：已完成")
        self.css("[id='ob-files-%s']" % ob).send_keys(self.photo)
        self.click("[id='ob-submit-%s']" % ob)
        # Submitted: the form is gone; the obligation's history shows the photo.
        self.wait(lambda drv: self.attr("[id='ob-submit-%s']" % ob, "id") is None)
        self.click("a[data-history='ob-history-%s']" % ob)
        self.wait(lambda drv: drv.execute_script(
            "const i = document.querySelector(arguments[0]); return i ? i.naturalWidth : 0;",
            "[id='ob-history-%s'] img[data-sha256]" % ob) > 0)
        el = self.css("[id='ob-history-%s']" % ob)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", el)
        self.shot("6-unit-obligation-with-file")
        status, listed = self.daemon.rpc("EvidenceService/ListEvidence", {"unit": "swj"}, "swj")
        self.assertEqual(status, 200)
        self.assertIn("obligation", [a["subjectKind"] for f in listed["files"] for a in f["attachments"]])


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--duband", required=True)
    p.add_argument("--source", required=True)
    p.add_argument("--out", required=True)
    ARGS, rest = p.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)


if __name__ == "__main__":
    main()
