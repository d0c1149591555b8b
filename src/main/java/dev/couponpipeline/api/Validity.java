package dev.couponpipeline.api;

/** {@code GET /coupons/{code}}'s answer: {@code {"code":"HAPPYHRS","valid":true}}. */
public record Validity(String code, boolean valid) {}
