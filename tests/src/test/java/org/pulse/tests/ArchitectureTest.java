package org.pulse.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;

/**
 * The dependency rule of DESIGN.md §2, checked on imports. The module POMs already stop most
 * wrong imports, but Maven passes dependencies on transitively (policy-engine would see Jackson
 * through cib), so this test closes the gap: a main-source import of a package a module may not
 * use fails the build, naming the file and the import.
 */
class ArchitectureTest {
    /**
     * Third-party and Pulse packages each module's main code may import (java.* and javax.* always,
     * and org.w3c.dom, the JDK's own java.xml DOM that javax.xml.xpath works on).
     */
    private static final Map<String, List<String>> ALLOWED = Map.of(
            "cib", List.of("org.pulse.cib", "com.fasterxml.jackson"),
            "policy-engine", List.of("org.pulse.cib", "org.pulse.policy"),
            "messaging", List.of("org.pulse.messaging", "org.jgroups"),
            "lrm", List.of("org.pulse.lrm"),
            "crm-shell", List.of("org.pulse.shell", "org.pulse.cib", "org.pulse.policy", "org.pulse.lrm",
                    "picocli", "org.jline"));

    private static final Pattern IMPORT = Pattern.compile("^import\\s+(?:static\\s+)?([\\w.]+)", Pattern.MULTILINE);

    @Test
    void mainSourcesImportOnlyWhatTheirModuleMayUse() throws IOException {
        List<String> violations = new ArrayList<>();
        int files = 0;
        for (Map.Entry<String, List<String>> module : ALLOWED.entrySet()) {
            Path src = TestEnv.root().resolve(module.getKey()).resolve("src/main/java");
            if (!Files.isDirectory(src)) {
                continue;
            }
            try (Stream<Path> paths = Files.walk(src)) {
                for (Path file : paths.filter(p -> p.toString().endsWith(".java")).toList()) {
                    files++;
                    Matcher m = IMPORT.matcher(Files.readString(file));
                    while (m.find()) {
                        String imported = m.group(1);
                        boolean ok = imported.startsWith("java.") || imported.startsWith("javax.")
                                || imported.startsWith("org.w3c.dom.")
                                || module.getValue().stream().anyMatch(imported::startsWith);
                        if (!ok) {
                            violations.add(TestEnv.root().relativize(file) + " imports " + imported
                                    + ", which module " + module.getKey() + " may not use (DESIGN.md §2)");
                        }
                    }
                }
            }
        }
        System.out.println("ArchitectureTest: checked imports of " + files + " main source files");
        assertTrue(files > 0, "found no sources under " + TestEnv.root());
        assertTrue(violations.isEmpty(), String.join("\n", violations));
    }

    /** Module directories and the package every one of their classes lives under. */
    private static final Map<String, String> PACKAGE_ROOTS = Map.of(
            "cib", "org.pulse.cib", "policy-engine", "org.pulse.policy", "messaging", "org.pulse.messaging",
            "lrm", "org.pulse.lrm", "crmd", "org.pulse.crmd", "crm-shell", "org.pulse.shell",
            "tests/lab", "org.pulse.lab", "tests", "org.pulse.tests", "tests/bench", "org.pulse.bench");

    /**
     * No package spans two modules (a split package hides which jar a class comes from, and lets
     * package-private access reach across a module's edge); each module's classes, main and test,
     * live under its own package: the lab fixtures in org.pulse.lab, the demo and benchmarks in
     * org.pulse.bench, the suites in org.pulse.tests.
     */
    @Test
    void everyPackageLivesInOneModule() throws IOException {
        Map<String, String> moduleOf = new java.util.TreeMap<>();
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, String> module : PACKAGE_ROOTS.entrySet()) {
            for (String set : List.of("src/main/java", "src/test/java")) {
                Path src = TestEnv.root().resolve(module.getKey()).resolve(set);
                if (!Files.isDirectory(src)) {
                    continue;
                }
                try (Stream<Path> paths = Files.walk(src)) {
                    for (Path file : paths.filter(p -> p.toString().endsWith(".java")).toList()) {
                        String pkg = src.relativize(file.getParent()).toString().replace('/', '.');
                        String before = moduleOf.putIfAbsent(pkg, module.getKey());
                        if (before != null && !before.equals(module.getKey())) {
                            violations.add("package " + pkg + " is in both " + before + " and " + module.getKey());
                        }
                        if (!(pkg + ".").startsWith(module.getValue() + ".")) {
                            violations.add(TestEnv.root().relativize(file) + " is in package " + pkg + ", outside "
                                    + module.getKey() + "'s " + module.getValue());
                        }
                    }
                }
            }
        }
        System.out.println("ArchitectureTest: " + moduleOf.size() + " packages in " + PACKAGE_ROOTS.size() + " modules");
        assertTrue(moduleOf.size() > 20, "found too few packages under " + TestEnv.root());
        assertTrue(violations.stream().distinct().toList().isEmpty(), String.join("\n", violations.stream().distinct().toList()));
    }
}
