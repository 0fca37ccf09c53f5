package org.pulse.lrm;

/** The meta-data of an agent could not be had: the agent failed, timed out, or printed something unusable. */
public final class MetadataException extends Exception {
    public MetadataException(String message) {
        super(message);
    }
}
