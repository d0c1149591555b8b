package dev.couponpipeline.api;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpServer;

/**
 * The HTTP engine of the REST routes, told which server they belong on. With /observe on a management port of its
 * own, camel-main runs two HTTP servers, and Camel 4.17's engine then cannot tell which one is the API's (it looks
 * for the single server and falls back to port 8080); this one picks the server that is not the management one.
 */
public final class ApiHttpEngine extends VertxPlatformHttpEngine {

    private final int apiPort;
    private final int managementPort;

    public ApiHttpEngine(int apiPort, int managementPort) {
        this.apiPort = apiPort;
        this.managementPort = managementPort;
    }

    @Override
    public int getServerPort() {
        if (apiPort != 0) {
            return apiPort;
        }
        for (VertxPlatformHttpServer s : getCamelContext().getRegistry().findByType(VertxPlatformHttpServer.class)) {
            if (s.getServer() != null && s.getServer().actualPort() != managementPort) {
                return s.getServer().actualPort();
            }
        }
        return super.getServerPort();
    }
}
