package org.pulse.shell.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pulse.shell.CrmException;
import org.pulse.shell.parse.Token;

/** crm status's arguments on picocli: the forms crm_mon and crmsh users type, and clear refusals. */
class StatusArgumentsTest {

    private static StatusCommand parse(String... words) throws CrmException {
        List<Token> tokens = Arrays.stream(words).map(w -> new Token(w, 0)).toList();
        return StatusCommand.parse(null, tokens);
    }

    @Test
    void formatsAndWatch() throws CrmException {
        assertEquals("text", parse().output);
        assertNull(parse().watchSeconds);
        assertEquals("json", parse("--output", "json").output);
        assertEquals("json", parse("--output=json").output);
        assertEquals("xml", parse("-o", "xml").output);
        assertEquals("xml", parse("xml").output, "crmsh's 'status xml'");
        assertEquals(2.0, parse("--watch").watchSeconds, "--watch alone refreshes every 2 s");
        assertEquals(5.0, parse("--watch", "5").watchSeconds);
        assertEquals(0.5, parse("-w", "0.5").watchSeconds);
        StatusCommand both = parse("--watch", "3", "--output", "json", "--iterations=2");
        assertEquals(3.0, both.watchSeconds);
        assertEquals("json", both.output);
        assertEquals(2, both.iterations);
    }

    @Test
    void refusalsNameTheArgument() throws CrmException {
        CrmException unknown = assertThrows(CrmException.class, () -> parse("--bogus"));
        assertEquals("status: unknown argument '--bogus'; use --output text|json|xml or --watch [SECONDS]", unknown.getMessage());
        CrmException word = assertThrows(CrmException.class, () -> parse("yaml"));
        assertEquals("status: unknown argument 'yaml'; use --output text|json|xml or --watch [SECONDS], or crmsh's "
                + "simple, bynode, inactive, failcounts, attributes, noheaders, brief, ops, timing, tickets, full", word.getMessage());
        assertEquals(java.util.Set.of("full", "bynode", "inactive", "failcounts", "tickets", "timing"), parse("full").views,
                "crmsh's 'status full' (crm_mon -ncrft)");
        assertThrows(CrmException.class, () -> parse("bynode", "json"), "views shape the text output only");
        CrmException output = assertThrows(CrmException.class, () -> parse("--output", "yaml"));
        assertEquals("status: unknown output 'yaml'; use text, json or xml", output.getMessage());
        CrmException missing = assertThrows(CrmException.class, () -> parse("--output"));
        assertTrue(missing.getMessage().startsWith("status: ") && missing.getMessage().contains("--output"), missing.getMessage());
    }

    @Test
    void helpIsUsageNotAnError() throws CrmException {
        String usage = parse("--help").usage;
        assertNotNull(usage);
        assertTrue(usage.contains("--watch") && usage.contains("--output"), usage);
    }
}
