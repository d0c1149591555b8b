package dev.couponpipeline.api;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** How an API bean answers: a status and a body the REST binding writes as JSON (problem details from 400 on). */
final class HttpAnswer {

    private HttpAnswer() {}

    static void answer(Message m, int status, Object body) {
        m.removeHeaders("*"); // platform-http would send the request's headers back as the answer's
        m.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        m.setHeader(Exchange.CONTENT_TYPE, status >= 400 ? Problem.MEDIA_TYPE : "application/json");
        m.setBody(body);
    }
}
