package dev.couponpipeline.fault;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A loopback TCP proxy in front of redis-server that the tests steer: pass bytes through, delay them, drop every
 * connection and refuse new ones, or freeze a connection the moment the client sends a given command (so a
 * process can be killed at an exact point of its Redis conversation).
 */
final class TcpProxy implements AutoCloseable {

    enum Mode {
        PASS,
        DROP
    }

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile byte[] freezeOn;
    private volatile CountDownLatch frozen = new CountDownLatch(1);

    TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "tcp-proxy-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Delays every chunk, in both directions, by {@code millis}. */
    void delay(long millis) {
        this.delayMillis = millis;
    }

    /** DROP closes every connection now and every new one at once; PASS forwards again. */
    void mode(Mode m) {
        this.mode = m;
        if (m == Mode.DROP) {
            open.forEach(TcpProxy::closeQuietly);
            open.clear();
        }
    }

    /**
     * Freezes (stops forwarding, both ways) the first connection whose client sends {@code command} as a RESP
     * bulk string; {@link #awaitFrozen} returns once that happened.
     */
    void freezeOn(String command) {
        freezeOn(command, 1);
    }

    /** As {@link #freezeOn(String)}, at the {@code occurrence}-th time a client sends the command. */
    void freezeOn(String command, int occurrence) {
        String resp = "$" + command.length() + "\r\n" + command + "\r\n";
        this.frozen = new CountDownLatch(1);
        this.seen.set(0);
        this.occurrence = occurrence;
        this.freezeOn = resp.getBytes(StandardCharsets.US_ASCII);
    }

    private final java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    private volatile int occurrence = 1;

    boolean awaitFrozen(long millis) throws InterruptedException {
        return frozen.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** Stops watching for a command; a frozen connection is closed without delivering what it held. */
    void thaw() {
        freezeOn = null;
        synchronized (this) {
            notifyAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                if (mode == Mode.DROP) {
                    client.close();
                    continue;
                }
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
                open.add(client);
                open.add(upstream);
                boolean[] frozenHere = new boolean[1];
                pump(client, upstream, true, frozenHere);
                pump(upstream, client, false, frozenHere);
            } catch (IOException e) {
                // target down or proxy closed: the client sees a refused or closed connection
            }
        }
    }

    private void pump(Socket from, Socket to, boolean fromClient, boolean[] frozenHere) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[1 << 16];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            byte[] watch = freezeOn;
                            if (fromClient
                                    && watch != null
                                    && contains(buf, n, watch)
                                    && seen.incrementAndGet() == occurrence) {
                                frozenHere[0] = true;
                                frozen.countDown();
                            }
                            synchronized (this) {
                                while (frozenHere[0] && freezeOn != null) {
                                    wait(100);
                                }
                            }
                            if (frozenHere[0]) {
                                return; // the held command is never delivered: as if the client died before sending it
                            }
                            if (delayMillis > 0) {
                                Thread.sleep(delayMillis);
                            }
                            out.write(buf, 0, n);
                            out.flush();
                        }
                    } catch (IOException | InterruptedException e) {
                        // one side closed
                    } finally {
                        closeQuietly(from);
                        closeQuietly(to);
                    }
                },
                "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean contains(byte[] buf, int n, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= n; i++) {
            for (int j = 0; j < needle.length; j++) {
                byte b = buf[i + j];
                byte c = needle[j];
                if (b != c && Character.toUpperCase(b) != c) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        open.forEach(TcpProxy::closeQuietly);
    }
}
