package org.pulse.tests.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import org.junit.jupiter.api.Test;
import org.pulse.lab.support.TestEnv;

/**
 * The benchmarks run the lab's code without JUnit on the class path: a missing tool must reach
 * them as TestEnv.Missing naming it, not as a NoClassDefFoundError from JUnit's assumptions.
 * Loads TestEnv from the lab's own classes in a loader that cannot see JUnit, as bench/_run-java does.
 */
class TestEnvOutsideJUnitTest {
    @Test
    void aMissingCommandIsAMessageWithoutJUnit() throws Exception {
        URL lab = TestEnv.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader plain = new URLClassLoader(new URL[] {lab}, ClassLoader.getPlatformClassLoader())) {
            assertThrows(ClassNotFoundException.class, () -> plain.loadClass("org.junit.jupiter.api.Assumptions"),
                    "the loader must not see JUnit, or this shows nothing");
            Method require = plain.loadClass(TestEnv.class.getName()).getMethod("requireCommand", String.class);
            InvocationTargetException e = assertThrows(InvocationTargetException.class,
                    () -> require.invoke(null, "pulse-no-such-command"));
            assertEquals(TestEnv.Missing.class.getName(), e.getCause().getClass().getName(), e.getCause().toString());
            assertTrue(e.getCause().getMessage().contains("the command 'pulse-no-such-command'"), e.getCause().getMessage());
        }
    }
}
