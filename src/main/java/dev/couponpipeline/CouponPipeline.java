package dev.couponpipeline;

import dev.couponpipeline.boot.Launcher;

/** Boots the coupon pipeline: {@code java -jar coupon-pipeline.jar [--once | generate ...]}. */
public final class CouponPipeline {

    private CouponPipeline() {}

    public static void main(String[] args) throws Exception {
        System.exit(Launcher.launch(args));
    }
}
