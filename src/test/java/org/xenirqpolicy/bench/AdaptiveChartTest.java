package org.xenirqpolicy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart mvn verify draws (target/adaptive.png): a PNG of the chart's size, with the adaptive line drawn. No timing. */
class AdaptiveChartTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    @TempDir
    Path tmp;

    @Test
    void writesAPngOfTheChartsSizeWithTheAdaptiveLine() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path png = tmp.resolve("out/adaptive.png");
        AdaptiveChart.main(new String[] {png.toString()});

        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(Files.readAllBytes(png), PNG_SIGNATURE.length));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO cannot read " + png);
        assertEquals(AdaptiveChart.WIDTH, image.getWidth());
        assertEquals(AdaptiveChart.HEIGHT, image.getHeight());
        int adaptive = AdaptiveChart.colour(AdaptiveSimulation.Mode.ADAPTIVE).getRGB();
        long pixels = Arrays.stream(image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth()))
                .filter(rgb -> rgb == adaptive).count();
        assertNotEquals(0, pixels, "no pixel in adaptive's colour");
    }
}
