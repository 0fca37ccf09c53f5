package org.pulse.tests.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.pulse.lab.cluster.FailoverAdmin;
import org.pulse.lab.cluster.LocalCluster;
import org.pulse.cib.admin.AdminRequest;
import org.pulse.cib.admin.AdminResponse;
import org.pulse.lab.support.TestEnv;

/**
 * The web console in a real browser (Debian's chromium, headless, driven through its chromium-driver
 * by Selenium) against three real crmd processes on loopback: a wrong and an expired token are
 * refused, a token from {@code crm web token} logs in, a node put in standby on the page loses its
 * resource, a resource moved on the page moves and its move constraint shows and goes with Clear,
 * a transition opens from the history, and a node killed with SIGKILL shows offline and its resource
 * on a survivor, on the same page without a reload. A screenshot of each step is kept in
 * {@code tests/target/console-screenshots/}. Bounded: every wait is at most 60 s; the class runs in
 * about a minute.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static LocalCluster cluster;
    static Path dir;
    static WebDriver browser;
    static Path shots;
    static int shot;
    /** The node whose console the test watches: the DC (its history holds the transitions). */
    static int watched;

    @BeforeAll
    static void start() throws Exception {
        Path repo = TestEnv.requireBuiltJars();
        TestEnv.require(Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver")),
                "Debian's chromium and chromium-driver (.ci/run installs them)");
        shots = repo.resolve("tests/target/console-screenshots");
        if (Files.isDirectory(shots)) {
            try (var old = Files.list(shots)) {
                for (Path f : (Iterable<Path>) old::iterator) {
                    Files.delete(f);
                }
            }
        }
        Files.createDirectories(shots);
        // 3 s failure detection: this suite is about the page, not about detection on a loaded machine.
        cluster = LocalCluster.startForSuite(ConsoleBrowserTest.class, 3, 3000);
        dir = cluster.root();
        System.out.println("ConsoleBrowserTest: screenshots in " + shots);
        assertTrue(LocalCluster.waitFor(WAIT, () -> cluster.agreedDc(1, 2, 3) != null), "no DC within 60 s; logs in " + dir);
        AdminResponse r = cluster.admin(1, AdminRequest.replace(cluster.nextId(), "<resources>"
                + "<primitive id=\"fence-sim\" class=\"stonith\" type=\"fence_pulse_sim\">"
                + "<instance_attributes id=\"fence-sim-ia\"><nvpair id=\"fence-sim-dir\" name=\"power_dir\" value=\""
                + cluster.powerDir() + "\"/></instance_attributes></primitive>"
                + "<primitive id=\"d1\" class=\"ocf\" provider=\"pulse\" type=\"Dummy\">"
                + "<operations><op id=\"d1-mon\" name=\"monitor\" interval=\"2s\" timeout=\"10s\"/></operations>"
                + "</primitive></resources>"));
        assertTrue(r.ok(), () -> "replace failed: " + r.error());
        String[] dc = {null};
        assertTrue(LocalCluster.waitFor(WAIT, () -> (dc[0] = cluster.agreedDc(1, 2, 3)) != null),
                "the nodes do not agree on a DC after the resources were added; logs in " + dir);
        watched = Integer.parseInt(dc[0].substring(4));

        // Debian's driver and browser, never a download (Selenium Manager has no network here).
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // As root (CI) chromium needs --no-sandbox; /dev/shm may be small in a container.
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1400", "--user-data-dir=" + dir.resolve("chromium-profile"));
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (cluster != null) {
            cluster.closeAndRemove();
        }
    }

    static String url(int node) {
        return "http://127.0.0.1:" + cluster.httpPort(node) + "/";
    }

    static void screenshot(String name) throws Exception {
        byte[] png = ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES);
        Files.write(shots.resolve(String.format("%02d-%s.png", ++shot, name)), png);
    }

    static String token(String... lifetime) throws Exception {
        String[] args = lifetime.length == 0 ? new String[] {"web", "token"} : new String[] {"web", "token", "--lifetime", lifetime[0]};
        Map.Entry<Integer, String> r = cluster.crm(watched, args);
        assertEquals(0, r.getKey(), r.getValue());
        return r.getValue().lines().filter(l -> l.matches("[A-Za-z0-9_-]+\\.\\d+\\.[A-Za-z0-9_-]+")).findFirst()
                .orElseThrow(() -> new AssertionError("crm web token printed no token:\n" + r.getValue()));
    }

    static void until(String what, java.util.function.Supplier<Boolean> condition) throws Exception {
        try {
            new WebDriverWait(browser, WAIT, Duration.ofMillis(200)).until(d -> condition.get());
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot("FAILED-" + what.replaceAll("[^A-Za-z0-9]+", "-"));
            throw new AssertionError("the page did not show " + what + " within " + WAIT.toSeconds() + " s; page:\n"
                    + browser.findElement(By.tagName("body")).getText());
        }
    }

    /** The text of the first element {@code css} selects, or null; read in one step (updates redraw the tables). */
    static String text(String css) {
        Object t = ((JavascriptExecutor) browser).executeScript(
                "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;", css);
        return t == null ? null : t.toString();
    }

    /** Does {@code what} to the element again when a live update redrew it meanwhile (a person would click again). */
    static void onElement(String css, java.util.function.Consumer<WebElement> what) {
        for (int attempt = 1; ; attempt++) {
            try {
                what.accept(browser.findElement(By.cssSelector(css)));
                return;
            } catch (org.openqa.selenium.StaleElementReferenceException e) {
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    static void logIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("login-button")).click();
    }

    @Test
    @Order(1)
    void aWrongOrExpiredTokenIsRefused() throws Exception {
        browser.get(url(watched));
        until("the login form", () -> browser.findElement(By.id("login")).isDisplayed());
        screenshot("login");
        logIn("not-a-token");
        until("the refusal of a wrong token", () -> String.valueOf(text("#login-error")).contains("not a console token"));
        String good = token();
        // The same token with another signature: refused as not valid for this cluster.
        String[] p = good.split("\\.");
        logIn(p[0] + "." + p[1] + "." + new StringBuilder(p[2]).reverse());
        until("the refusal of a forged token", () -> String.valueOf(text("#login-error")).contains("not valid for this cluster"));
        String expiring = token("1");
        Thread.sleep(2100);
        logIn(expiring);
        until("the refusal of an expired token", () -> String.valueOf(text("#login-error")).contains("expired"));
        screenshot("expired-token-refused");
        assertFalse(browser.findElement(By.id("app")).isDisplayed(), "nothing of the cluster shows without a login");
    }

    @Test
    @Order(2)
    void aTokenFromCrmWebTokenLogsInAndTheClusterShows() throws Exception {
        logIn(token());
        until("three nodes and d1 running", () -> browser.findElements(By.cssSelector("#nodes tbody tr")).size() == 3
                && text("#rsc-d1 .where") != null && !text("#rsc-d1 .where").isEmpty());
        assertTrue(text("#who").startsWith(System.getProperty("user.name")), "logged in as the user who ran crm: " + text("#who"));
        assertEquals("node" + watched, text("#cluster-dc"));
        until("the live stream", () -> "live".equals(text("#live")));
        // A marker that a reload would wipe: the later steps must happen on this same page.
        ((JavascriptExecutor) browser).executeScript("window.pulseNoReload = 42;");
        screenshot("logged-in");
    }

    @Test
    @Order(3)
    void aNodeInStandbyLosesItsResourceAndComesBackOnline() throws Exception {
        String on = text("#rsc-d1 .where");
        onElement("#node-" + on + " button.standby", WebElement::click);
        until(on + " in standby and d1 elsewhere", () -> "standby".equals(text("#node-" + on + " .state"))
                && text("#rsc-d1 .where") != null && !text("#rsc-d1 .where").isEmpty() && !on.equals(text("#rsc-d1 .where")));
        screenshot("standby");
        onElement("#node-" + on + " button.online", WebElement::click);
        until(on + " online again", () -> "online".equals(text("#node-" + on + " .state")));
        assertNoReload();
    }

    @Test
    @Order(4)
    void aResourceMovedOnThePageMovesAndClearRemovesTheMove() throws Exception {
        String on = text("#rsc-d1 .where");
        // To a node that is not the DC, so that the last step can kill it and still watch the DC's page.
        String target = cluster.names().stream().filter(n -> !n.equals(on) && !n.equals("node" + watched)).findFirst()
                .orElseThrow();
        // Choosing and clicking in one go: a redraw between the two would reset the choice.
        onElement("#rsc-d1 select.move-target", e -> {
            new Select(e).selectByValue(target);
            e.findElement(By.xpath("following-sibling::button[contains(@class,'move')]")).click();
        });
        until("d1 on " + target + " with its move constraint", () -> target.equals(text("#rsc-d1 .where"))
                && text("#constraint-cli-prefer-d1") != null);
        screenshot("moved");
        onElement("#rsc-d1 button.clear", WebElement::click);
        until("the move constraint gone", () -> text("#constraint-cli-prefer-d1") == null);
        screenshot("cleared");
        assertNoReload();
    }

    @Test
    @Order(5)
    void aTransitionOpensFromTheHistory() throws Exception {
        browser.findElement(By.id("history-refresh")).click();
        until("transitions in the history", () -> !browser.findElements(By.cssSelector("#history tbody tr")).isEmpty());
        // The newest transition that started d1 somewhere.
        onElement("#history tbody tr", WebElement::click);
        until("a transition's actions", () -> !browser.findElements(By.cssSelector("#transition-actions li")).isEmpty());
        assertTrue(text("#transition-title").startsWith("Transition "), text("#transition-title"));
        assertTrue(text("#transition-meta").contains("trigger:"), text("#transition-meta"));
        screenshot("history");
    }

    /**
     * The API as a script uses it: a bearer token instead of the cookie; a user who may not use the admin
     * socket may not act through the console either (the token is made here from the documented format
     * and the cluster key, as only a key holder can); a POST that is not JSON and an unknown path are refused.
     */
    @Test
    @Order(6)
    void theApiTakesABearerTokenAndAppliesTheAdminSocketsRules() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = url(watched) + "api/v1/";
        java.net.http.HttpResponse<String> status = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "status"))
                .header("Authorization", "Bearer " + token()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode(), status.body());
        assertTrue(status.body().contains("\"api\":1") && status.body().contains("\"id\":\"d1\""), status.body());

        String nobody = forge("nobody", java.time.Instant.now().getEpochSecond() + 600);
        java.net.http.HttpResponse<String> standby = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(base + "nodes/node1/standby")).header("Authorization", "Bearer " + nobody)
                .header("Content-Type", "application/json").POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(403, standby.statusCode(), standby.body());
        assertTrue(standby.body().contains("access denied: user 'nobody'"), standby.body());

        java.net.http.HttpResponse<String> form = http.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(base + "nodes/node1/standby")).header("Authorization", "Bearer " + token())
                .header("Content-Type", "application/x-www-form-urlencoded").POST(java.net.http.HttpRequest.BodyPublishers.ofString("a=b")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(415, form.statusCode(), "a cross-site form cannot act: " + form.body());
        java.net.http.HttpResponse<String> none = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "nodes"))
                .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.body().contains("crm web token"), none.body());
    }

    /** A token as crmd makes one: base64url(user).EXPIRY.base64url(HMAC-SHA256(derived key, first two parts)). */
    static String forge(String user, long expiresEpochS) throws Exception {
        byte[] key = org.pulse.messaging.ClusterKey.load(cluster.root().resolve("key")).derive("pulse/web-token/v1");
        String body = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(user.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "." + expiresEpochS;
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        return body + "." + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                mac.doFinal(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    @Test
    @Order(7)
    void aKilledNodeShowsOfflineAndItsResourceMovesWithoutAReload() throws Exception {
        String on = text("#rsc-d1 .where");
        assertNotNull(on);
        int victim = Integer.parseInt(on.substring(4));
        if (victim == watched) {
            // d1 went back to the DC after the clear: put it on another node first (through the API, as a script would).
            String other = cluster.names().stream().filter(n -> !n.equals("node" + watched)).findFirst().orElseThrow();
            AdminResponse m = cluster.admin(watched, AdminRequest.resource(cluster.nextId(), "move", "d1", other));
            assertTrue(m.ok(), () -> "move failed: " + m.error());
            until("d1 on " + other, () -> other.equals(text("#rsc-d1 .where")));
            victim = Integer.parseInt(other.substring(4));
        }
        String victimName = "node" + victim;
        cluster.kill9(victim);
        until(victimName + " not online and d1 on a survivor", () -> {
            String state = text("#node-" + victimName + " .state");
            String where = text("#rsc-d1 .where");
            return state != null && !state.equals("online") && where != null && !where.isEmpty() && !where.equals(victimName);
        });
        screenshot("node-killed-failover");
        assertNoReload();
        String status = FailoverAdmin.str(cluster.status(watched), "text");
        assertTrue(status.contains("d1") && !status.contains("d1: Started " + victimName), status);
    }

    static void assertNoReload() {
        Object marker = ((JavascriptExecutor) browser).executeScript("return window.pulseNoReload;");
        assertEquals(42L, marker, "the page was reloaded: live updates must not need one");
    }
}
