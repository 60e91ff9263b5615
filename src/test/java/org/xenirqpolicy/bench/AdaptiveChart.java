package org.xenirqpolicy.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.xenirqpolicy.bench.AdaptiveSimulation.Mode;
import org.xenirqpolicy.bench.AdaptiveSimulation.Run;
import org.xenirqpolicy.model.AdaptiveLimits;

/**
 * Busiest CPU / lower bound over time for each mode, one panel per profile (the hot guest and the
 * daily swing), as a PNG drawn with Java2D: no network, no Python, so mvn verify draws it anywhere.
 * Each line is smoothed over 5 intervals (5 minutes), so that the sample noise does not hide the
 * modes; the dashed line is the adaptive threshold. Run by mvn verify (target/adaptive.png) and by
 * bench/adaptive.sh.
 */
public final class AdaptiveChart {
    static final List<String> PROFILES = List.of(AdaptiveSimulation.HOT, AdaptiveSimulation.DAILY);
    static final int WIDTH = 960;
    static final int HEIGHT = 720;
    private static final int SMOOTHING = 5;
    private static final double Y_MIN = 1.0;
    private static final double Y_MAX = 2.0;
    private static final Color[] COLOURS = {
        new Color(0xD9, 0x5F, 0x02), new Color(0x75, 0x70, 0xB3), new Color(0x66, 0xA6, 0x1E), new Color(0x1B, 0x6F, 0xB5)};

    private AdaptiveChart() {
    }

    /** Usage: AdaptiveChart PNG. Simulates the charted profiles only. */
    public static void main(String[] args) throws IOException {
        Path png = Path.of(args.length > 0 ? args[0] : "target/adaptive.png");
        write(png, PROFILES.stream().map(AdaptiveSimulation::profile).map(AdaptiveSimulation::run).toList());
        System.out.println("adaptive chart: " + png);
    }

    static void write(Path png, List<Run> runs) throws IOException {
        Canvas.writePng(draw(runs), png);
    }

    static BufferedImage draw(List<Run> runs) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.blank(image);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        Canvas.centre(g, "Busiest CPU / lower bound over time, per mode (simulated dom0, bench/adaptive.sh)", WIDTH / 2, 26);
        int panelHeight = (HEIGHT - 60) / runs.size();
        for (int k = 0; k < runs.size(); k++) {
            panel(g, runs.get(k), 40 + k * panelHeight, panelHeight);
        }
        g.dispose();
        return image;
    }

    private static void panel(Graphics2D g, Run run, int y0, int height) {
        int left = 80;
        int right = WIDTH - 30;
        int top = y0 + 34;
        int bottom = y0 + height - 46;
        AdaptiveSimulation.Profile p = run.profile();
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        Canvas.centre(g, "(" + p.key() + ") " + p.title() + ", " + p.cpus() + " CPUs", WIDTH / 2, y0 + 22);

        double hours = p.seconds() / 3600.0;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double v = Y_MIN; v <= Y_MAX + 1e-9; v += 0.25) {
            int y = yOf(v, top, bottom);
            g.setColor(new Color(0xDD, 0xDD, 0xDD));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%.2f", v);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 4);
        }
        int hourStep = hours > 12 ? 2 : 1;
        for (int h = 0; h <= hours; h += hourStep) {
            int x = (int) Math.round(left + h / hours * (right - left));
            g.setColor(Color.BLACK);
            g.drawLine(x, bottom, x, bottom + 4);
            Canvas.centre(g, h + " h", x, bottom + 18);
        }
        // The threshold above which adaptive may move (after two samples).
        int thresholdY = yOf(AdaptiveLimits.defaults().threshold(), top, bottom);
        g.setStroke(new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        g.setColor(Color.GRAY);
        g.drawLine(left, thresholdY, right, thresholdY);
        g.drawString("adaptive threshold", right - 4 - g.getFontMetrics().stringWidth("adaptive threshold"), thresholdY - 4);

        Mode[] modes = Mode.values();
        g.setClip(left, top, right - left + 1, bottom - top + 1);
        for (int m = 0; m < modes.length; m++) {
            double[] series = smooth(run.ratios().get(modes[m]));
            Path2D line = new Path2D.Double();
            for (int i = 0; i < series.length; i++) {
                double x = left + (i + 0.5) / series.length * (right - left);
                double y = bottom - (series[i] - Y_MIN) / (Y_MAX - Y_MIN) * (bottom - top);
                if (i == 0) {
                    line.moveTo(x, y);
                } else {
                    line.lineTo(x, y);
                }
            }
            g.setColor(COLOURS[m]);
            g.setStroke(new BasicStroke(modes[m] == Mode.ADAPTIVE ? 2.4f : 1.4f));
            g.draw(line);
        }
        g.setClip(null);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawLine(left, top, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        Canvas.centre(g, "busiest / bound", -(top + bottom) / 2, 24);
        g.setTransform(saved);
        legend(g, left + 10, top + 6, run);
    }

    private static void legend(Graphics2D g, int x, int y, Run run) {
        Mode[] modes = Mode.values();
        String[] labels = new String[modes.length];
        int width = 0;
        for (int m = 0; m < modes.length; m++) {
            labels[m] = String.format(Locale.ROOT, "%s: mean %.2f", modes[m].label, run.timeAverage(modes[m]));
            if (modes[m] == Mode.ADAPTIVE) {
                labels[m] += String.format(Locale.ROOT, ", %d moves", run.moves());
            }
            width = Math.max(width, g.getFontMetrics().stringWidth(labels[m]));
        }
        int boxHeight = 8 + 17 * modes.length;
        g.setColor(Color.WHITE);
        g.fillRect(x, y, width + 44, boxHeight);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, width + 44, boxHeight);
        for (int m = 0; m < modes.length; m++) {
            g.setColor(COLOURS[m]);
            g.fillRect(x + 10, y + 8 + m * 17, 20, 4 + (modes[m] == Mode.ADAPTIVE ? 2 : 0));
            g.setColor(Color.BLACK);
            g.drawString(labels[m], x + 36, y + 15 + m * 17);
        }
    }

    static Color colour(Mode mode) {
        return COLOURS[mode.ordinal()];
    }

    /** Mean over the last {@link #SMOOTHING} intervals. */
    private static double[] smooth(double[] series) {
        double[] out = new double[series.length];
        for (int i = 0; i < series.length; i++) {
            double sum = 0;
            int n = 0;
            for (int j = Math.max(0, i - SMOOTHING + 1); j <= i; j++) {
                if (!Double.isNaN(series[j])) {
                    sum += series[j];
                    n++;
                }
            }
            out[i] = n == 0 ? Double.NaN : sum / n;
        }
        return out;
    }

    private static int yOf(double value, int top, int bottom) {
        return (int) Math.round(bottom - (value - Y_MIN) / (Y_MAX - Y_MIN) * (bottom - top));
    }
}
