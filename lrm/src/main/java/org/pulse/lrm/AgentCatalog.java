package org.pulse.lrm;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Finds agents on disk: OCF agents in {@code DIR/resource.d/PROVIDER/TYPE} for each directory of the search
 * path (the first match wins), LSB init scripts in the LSB directory, fence agents ({@code fence_*}) in the
 * stonith directories. Listings show executable files whose names do not start with '.', like Pacemaker's;
 * providers and agents may be symlinks.
 */
public final class AgentCatalog {
    private final LrmConfig config;

    public AgentCatalog(LrmConfig config) {
        this.config = config;
    }

    public List<String> classes() {
        return List.of(AgentRef.OCF, AgentRef.LSB, AgentRef.STONITH);
    }

    /** OCF providers over the whole search path, sorted, without duplicates. */
    public List<String> providers() {
        TreeSet<String> out = new TreeSet<>();
        for (Path dir : config.agentDirs()) {
            for (Path p : list(dir.resolve("resource.d"))) {
                if (Files.isDirectory(p)) {
                    out.add(p.getFileName().toString());
                }
            }
        }
        return List.copyOf(out);
    }

    /** Agents of one class (and provider, for ocf; null provider = all providers), sorted. */
    public List<AgentRef> agents(String standard, String provider) {
        TreeSet<String> seen = new TreeSet<>();
        List<AgentRef> out = new ArrayList<>();
        switch (standard) {
            case AgentRef.OCF:
                for (String prov : provider == null ? providers() : List.of(provider)) {
                    for (Path dir : config.agentDirs()) {
                        for (Path p : list(dir.resolve("resource.d").resolve(prov))) {
                            String name = p.getFileName().toString();
                            if (Files.isRegularFile(p) && Files.isExecutable(p) && seen.add(prov + ":" + name)) {
                                out.add(AgentRef.ocf(prov, name));
                            }
                        }
                    }
                }
                break;
            case AgentRef.LSB:
                for (Path p : list(config.lsbDir())) {
                    String name = p.getFileName().toString();
                    if (Files.isRegularFile(p) && Files.isExecutable(p) && !name.startsWith("README") && seen.add(name)) {
                        out.add(new AgentRef(AgentRef.LSB, null, name));
                    }
                }
                break;
            case AgentRef.STONITH:
                for (Path dir : config.stonithDirs()) {
                    for (Path p : list(dir)) {
                        String name = p.getFileName().toString();
                        if (name.startsWith("fence_") && Files.isRegularFile(p) && Files.isExecutable(p) && seen.add(name)) {
                            out.add(new AgentRef(AgentRef.STONITH, null, name));
                        }
                    }
                }
                break;
            default:
                throw new IllegalArgumentException("agent class '" + standard + "' is not supported: use ocf, lsb or stonith");
        }
        out.sort((a, b) -> a.toString().compareTo(b.toString()));
        return out;
    }

    /**
     * The agent's file: the first that exists along the search path. Empty when there is none; the file may
     * still be non-executable (the executor reports that as rc 4 rather than "not installed").
     */
    public Optional<Path> locate(AgentRef agent) {
        switch (agent.standard()) {
            case AgentRef.OCF:
                for (Path dir : config.agentDirs()) {
                    Path p = dir.resolve("resource.d").resolve(agent.provider()).resolve(agent.type());
                    if (Files.exists(p)) {
                        return Optional.of(p);
                    }
                }
                return Optional.empty();
            case AgentRef.LSB: {
                Path p = config.lsbDir().resolve(agent.type());
                return Files.exists(p) ? Optional.of(p) : Optional.empty();
            }
            default:
                for (Path dir : config.stonithDirs()) {
                    Path p = dir.resolve(agent.type());
                    if (Files.exists(p)) {
                        return Optional.of(p);
                    }
                }
                return Optional.empty();
        }
    }

    /** Where {@link #locate} looked, for error messages. */
    public List<Path> searchPath(AgentRef agent) {
        List<Path> out = new ArrayList<>();
        switch (agent.standard()) {
            case AgentRef.OCF:
                for (Path dir : config.agentDirs()) {
                    out.add(dir.resolve("resource.d").resolve(agent.provider()).resolve(agent.type()));
                }
                break;
            case AgentRef.LSB:
                out.add(config.lsbDir().resolve(agent.type()));
                break;
            default:
                for (Path dir : config.stonithDirs()) {
                    out.add(dir.resolve(agent.type()));
                }
        }
        return out;
    }

    private static List<Path> list(Path dir) {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!p.getFileName().toString().startsWith(".")) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            // An unreadable directory lists as empty; locate() still reports the exact path it tried.
        }
        out.sort(null);
        return out;
    }
}
