package dev.couponpipeline.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Proves {@code coupon.jit.c2} reaches the JVM: the directive is in the compiler's own list afterwards. */
class JitScopeTest {

    @Test
    void should_leave_the_jvm_default_for_all_and_for_the_service() {
        assertEquals("C2 compiles every hot method (the JVM's default)", JitScope.apply("all", true));
        assertEquals("C2 compiles every hot method (the JVM's default)", JitScope.apply("auto", false));
    }

    @Test
    void should_refuse_an_unknown_value() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JitScope.apply("c1", true));
        assertEquals("coupon.jit.c2 is 'c1'; use auto, hot-loops or all", e.getMessage());
    }

    @Test
    void should_let_c2_compile_only_the_hot_loops() throws Exception {
        assertEquals("C2 compiles only the pipeline's own loops", JitScope.apply("auto", true));
        String printed = printed();
        // the JVM lists each directive with the patterns it matches and its C1 and C2 options
        Matcher hot = Pattern.compile(
                        "matching: ([^\\n]*dev/couponpipeline/[^\\n]*)\\n.*?c2 directives:.*?Exclude:(\\w+)",
                        Pattern.DOTALL)
                .matcher(printed);
        assertTrue(hot.find(), printed);
        for (String p : JitScope.HOT_LOOPS) {
            assertTrue(hot.group(1).contains(p), p + " in " + hot.group(1));
        }
        assertEquals("false", hot.group(2));
        Matcher rest = Pattern.compile(
                        "Directive:\\s+matching: \\*\\.\\*\\n.*?c2 directives:.*?Exclude:(\\w+)", Pattern.DOTALL)
                .matcher(printed);
        assertTrue(rest.find(), printed);
        assertEquals("true", rest.group(1));
        // a second launch in the same JVM adds nothing (the JVM holds at most CompilerDirectivesLimit of them)
        JitScope.apply("hot-loops", true);
        assertEquals(1, count(printed(), "dev/couponpipeline/codes/"));
    }

    /** The directives in force, as {@code jcmd <pid> Compiler.directives_print} shows them. */
    private static String printed() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer()
                .invoke(JitScope.diagnostics(), "compilerDirectivesPrint", new Object[0], new String[0]);
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
