package org.pulse.lrm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpDigestTest {
    @Test
    void matchesPacemakersDigestsFromItsRegressionCibs() {
        // The most common op-digest in Pacemaker's scheduler test CIBs: a one-shot op without parameters.
        assertEquals("f2317cad3d54cec5d7d7aa7d0bf35cf8", OpDigest.of(Map.of(), 0, 20_000));
        // A recurring op without parameters and a 20 s timeout (the timeout is part of a recurring op's digest).
        assertEquals("4811cef7f7f94e3a35a70be7916cb2fd", OpDigest.of(Map.of("crm_feature_set", "3.16.1"), 10_000, 20_000));
        assertEquals(" <parameters CRM_meta_timeout=\"20000\"/>\n", OpDigest.canonical(Map.of(), 10_000, 20_000));
    }

    @Test
    void orderAndNonConfigurationDoNotMatterButValuesDo() {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("ip", "192.0.2.100");
        a.put("cidr_netmask", "24");
        Map<String, String> b = new LinkedHashMap<>();
        b.put("cidr_netmask", "24");
        b.put("CRM_meta_timeout", "20000");
        b.put("crm_feature_set", "3.16.1");
        b.put("ip", "192.0.2.100");
        assertEquals(OpDigest.of(a, 0, 20_000), OpDigest.of(b, 0, 40_000), "a one-shot op's timeout is not configuration");
        assertEquals(" <parameters cidr_netmask=\"24\" ip=\"192.0.2.100\"/>\n", OpDigest.canonical(b, 0, 20_000));
        assertNotEquals(OpDigest.of(a, 0, 20_000), OpDigest.of(Map.of("ip", "192.0.2.101", "cidr_netmask", "24"), 0, 20_000));
        assertNotEquals(OpDigest.of(a, 10_000, 20_000), OpDigest.of(a, 10_000, 30_000));
    }

    @Test
    void escapingKeepsValuesApart() {
        assertNotEquals(OpDigest.of(Map.of("a", "x\" b=\"y"), 0, 1), OpDigest.of(Map.of("a", "x", "b", "y"), 0, 1));
        assertEquals(" <parameters a=\"&lt;&amp;&quot;&#10;\"/>\n", OpDigest.canonical(Map.of("a", "<&\"\n"), 0, 1));
    }
}
