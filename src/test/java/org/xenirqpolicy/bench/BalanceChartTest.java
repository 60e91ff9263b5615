package org.xenirqpolicy.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart mvn verify draws: a file is written and it is a PNG of the chart's size. No timing. */
class BalanceChartTest {
    private static final byte[] PNG_SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    /** The chart written at {@code png}, checked to be a PNG that ImageIO reads, of this size. */
    static BufferedImage readPngOfSize(Path png, int width, int height) throws IOException {
        assertArrayEquals(PNG_SIGNATURE, Arrays.copyOf(Files.readAllBytes(png), PNG_SIGNATURE.length));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO cannot read " + png);
        assertEquals(width, image.getWidth());
        assertEquals(height, image.getHeight());
        return image;
    }

    @TempDir
    Path tmp;

    @Test
    void writesAPngOfTheChartsSize() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path png = tmp.resolve("out/balance.png");
        BalanceChart.main(new String[] {png.toString()});

        readPngOfSize(png, BalanceChart.WIDTH, BalanceChart.HEIGHT);
    }
}
