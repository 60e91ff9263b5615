package org.xenirqpolicy.bench;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart mvn verify draws (target/adaptive.png): a PNG of the chart's size, with the adaptive line drawn. No timing. */
class AdaptiveChartTest {
    @TempDir
    Path tmp;

    @Test
    void writesAPngOfTheChartsSizeWithTheAdaptiveLine() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path png = tmp.resolve("out/adaptive.png");
        AdaptiveChart.main(new String[] {png.toString()});

        BufferedImage image = BalanceChartTest.readPngOfSize(png, AdaptiveChart.WIDTH, AdaptiveChart.HEIGHT);
        int adaptive = AdaptiveChart.colour(AdaptiveSimulation.Mode.ADAPTIVE).getRGB();
        long pixels = Arrays.stream(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()))
                .filter(rgb -> rgb == adaptive).count();
        assertNotEquals(0, pixels, "no pixel in adaptive's colour");
    }
}
