package org.pulse.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.EmptyMessage;
import org.jgroups.Message;
import org.jgroups.protocols.EncryptHeader;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.stack.Protocol;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Why Pulse does not rely on JGroups 5.5.7's SYM_ENCRYPT for authentication: run against the
 * real protocol, a header-only message (the shape of GMS and failure-detection traffic) forged by
 * someone without the key passes straight up, as long as it carries the key's version, which
 * every encrypted message shows in clear. {@link SealProtocol} refuses the same message.
 */
class SymEncryptGapTest {
    @Test
    void symEncryptPassesAForgedHeaderOnlyMessageButTheSealDoesNot() throws Exception {
        byte[] key = new byte[16];
        new java.util.Random(1).nextBytes(key);
        SYM_ENCRYPT enc = new SYM_ENCRYPT();
        enc.setSecretKey(new SecretKeySpec(key, "AES"));
        enc.init();
        List<Message> passedUp = new ArrayList<>();
        enc.setUpProtocol(new Protocol() {
            @Override
            public Object up(Message msg) {
                passedUp.add(msg);
                return null;
            }
        });

        // What an eavesdropper reads off the wire: the key version (MD5 of the key) in any header.
        byte[] version = MessageDigest.getInstance("MD5").digest(key);
        Message forged = new EmptyMessage(null).setSrc(UUID.randomUUID())
                .putHeader(enc.getId(), new EncryptHeader((byte) 0, version, new byte[0]))
                .putHeader(new GMS().getId(), new GMS.GmsHeader(GMS.GmsHeader.LEAVE_REQ));
        enc.up(forged);
        assertEquals(1, passedUp.size(), "SYM_ENCRYPT passed the forged, unauthenticated message up");
        assertNotNull(passedUp.get(0).getHeader(new GMS().getId()));

        // Without the header it is dropped, as its source says.
        enc.up(new EmptyMessage(null).setSrc(UUID.randomUUID()));
        assertEquals(1, passedUp.size());

        // The seal refuses the same forged message: it has no sealed payload.
        SealProtocol seal = new SealProtocol(new Sealer(ClusterKey.ofBytes(new byte[32]), new java.security.SecureRandom()),
                new DropLog(System.getLogger("test"), "test", 10_000, System::nanoTime), false);
        List<Message> sealPassed = new ArrayList<>();
        seal.setUpProtocol(new Protocol() {
            @Override
            public Object up(Message msg) {
                sealPassed.add(msg);
                return null;
            }
        });
        assertNull(seal.up(forged));
        assertEquals(0, sealPassed.size());
        assertEquals(1, seal.rejectedCount());
    }
}
