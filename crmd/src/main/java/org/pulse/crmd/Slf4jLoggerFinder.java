package org.pulse.crmd;

import java.lang.System.Logger;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import org.slf4j.LoggerFactory;

/**
 * Binds the JDK's logging facade ({@link System.Logger}) to SLF4J inside the daemon, so there is one
 * logging path and one level setting ({@code pulse.log.level}) for every line crmd writes. messaging and
 * lrm log through {@code System.Logger} because the design lets them depend on JGroups and the JDK only;
 * crmd, which owns the process, decides where those lines go. Registered in
 * {@code META-INF/services/java.lang.System$LoggerFinder}; crm-shell has no binding and keeps the JDK's.
 */
public final class Slf4jLoggerFinder extends System.LoggerFinder {

    /** Set by {@link Main#configureLogging}: every line names its node, as crmd's own do ("crmd@n1"). */
    static final String NODE_PROPERTY = "pulse.log.node";

    @Override
    public Logger getLogger(String name, Module module) {
        String node = System.getProperty(NODE_PROPERTY);
        return new Bridge(LoggerFactory.getLogger(node == null ? name : name + "@" + node));
    }

    /** One SLF4J logger seen as a System.Logger; messages are formatted only when the level is on. */
    record Bridge(org.slf4j.Logger target) implements Logger {

        @Override
        public String getName() {
            return target.getName();
        }

        @Override
        public boolean isLoggable(Level level) {
            return switch (level) {
                case ALL, TRACE -> target.isTraceEnabled();
                case DEBUG -> target.isDebugEnabled();
                case INFO -> target.isInfoEnabled();
                case WARNING -> target.isWarnEnabled();
                case ERROR -> target.isErrorEnabled();
                case OFF -> false;
            };
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            if (!isLoggable(level)) {
                return;
            }
            String text = localized(bundle, msg);
            switch (level) {
                case ALL, TRACE -> target.trace(text, thrown);
                case DEBUG -> target.debug(text, thrown);
                case INFO -> target.info(text, thrown);
                case WARNING -> target.warn(text, thrown);
                case ERROR -> target.error(text, thrown);
                case OFF -> { }
            }
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            if (!isLoggable(level)) {
                return;
            }
            String pattern = localized(bundle, format);
            log(level, null, params == null || params.length == 0 ? pattern : MessageFormat.format(pattern, params),
                    (Throwable) null);
        }

        private static String localized(ResourceBundle bundle, String key) {
            return bundle != null && key != null && bundle.containsKey(key) ? bundle.getString(key) : key;
        }
    }
}
