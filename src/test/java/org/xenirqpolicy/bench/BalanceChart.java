package org.xenirqpolicy.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.xenirqpolicy.model.CpuSet;
import org.xenirqpolicy.testing.HostTree;

/**
 * The per-CPU load of the seed rule against spread on the profile with offline and banned CPUs,
 * as a PNG drawn with Java2D: no network, no Python, so mvn verify can draw it anywhere. That
 * profile is the telling one: the seed's 0..n-1 guess puts traffic on CPUs that cannot take it.
 * Run by mvn verify (target/balance.png) and by bench/balance.sh.
 */
public final class BalanceChart {
    static final String PROFILE = "e";
    static final int WIDTH = 960;
    static final int HEIGHT = 540;
    private static final Color SEED = new Color(0xD9, 0x5F, 0x02);
    private static final Color SPREAD = new Color(0x1B, 0x6F, 0xB5);
    private static final Color NOT_USABLE = new Color(0xEE, 0xEE, 0xEE);

    private BalanceChart() {
    }

    /** Usage: BalanceChart PNG. The seed's placement comes from {@link Balance.SeedRule}, so the field report is not needed. */
    public static void main(String[] args) throws IOException {
        Path png = Path.of(args.length > 0 ? args[0] : "target/balance.png");
        Path work = png.toAbsolutePath().getParent().resolve("balance-chart");
        Balance.deleteTree(work);
        Balance.Profile profile = Balance.gapsAndBanned(work);
        Balance.Row row = Balance.score(profile,
                Balance.SeedRule.place(HostTree.at(profile.root()), Balance.eventChannels(profile.root())));
        write(png, row);
        System.out.println("balance chart: " + png);
    }

    static void write(Path png, Balance.Row row) throws IOException {
        Canvas.writePng(draw(row), png);
    }

    static BufferedImage draw(Balance.Row row) {
        CpuSet online = CpuSet.parseList(HostTree.at(row.profile().root()).read("/sys/devices/system/cpu/online").strip());
        TreeSet<Integer> cpus = new TreeSet<>(row.seed().perCpu().keySet());
        cpus.addAll(row.spread().perCpu().keySet());
        long top = Math.max(max(row.seed().perCpu()), max(row.spread().perCpu()));
        double step = niceStep(top / 5.0);
        double yMax = Math.ceil(top / step) * step;

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = Canvas.blank(image);
        int left = 90;
        int right = WIDTH - 30;
        int topY = 80;
        int bottom = HEIGHT - 90;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 17));
        Canvas.centre(g, "Per-CPU event-channel interrupts: seed rule vs spread", WIDTH / 2, 28);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        Canvas.centre(g, "profile (" + row.profile().key() + ") " + row.profile().title() + "; usable CPUs " + row.usable().toList(),
                WIDTH / 2, 50);

        double slot = (right - left) / (double) cpus.size();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int i = 0;
        for (int cpu : cpus) {
            int x0 = (int) (left + i * slot);
            if (!row.usable().contains(cpu)) {
                // Shaded: the CPU is offline or banned, any load drawn on it is load the seed misplaced.
                g.setColor(NOT_USABLE);
                g.fillRect(x0 + 1, topY, (int) slot - 1, bottom - topY);
                g.setColor(Color.DARK_GRAY);
                Canvas.centre(g, online.contains(cpu) ? "banned" : "offline", (int) (x0 + slot / 2), bottom + 36);
            }
            i++;
        }
        // Grid and y ticks.
        for (double v = 0; v <= yMax + step / 2; v += step) {
            int y = yOf(v, yMax, topY, bottom);
            g.setColor(new Color(0xDD, 0xDD, 0xDD));
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            String label = String.format(Locale.ROOT, "%,d", (long) v);
            g.drawString(label, left - 8 - g.getFontMetrics().stringWidth(label), y + 5);
        }
        i = 0;
        double barWidth = slot * 0.36;
        for (int cpu : cpus) {
            double mid = left + (i + 0.5) * slot;
            bar(g, SEED, mid - barWidth, barWidth, row.seed().perCpu().getOrDefault(cpu, 0L), yMax, topY, bottom);
            bar(g, SPREAD, mid, barWidth, row.spread().perCpu().getOrDefault(cpu, 0L), yMax, topY, bottom);
            g.setColor(Color.BLACK);
            Canvas.centre(g, String.valueOf(cpu), (int) mid, bottom + 18);
            i++;
        }
        // The lower bound: no placement on the usable CPUs can keep its busiest CPU below it.
        int boundY = yOf(row.bound(), yMax, topY, bottom);
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        g.drawLine(left, boundY, right, boundY);
        g.setStroke(new BasicStroke(1));
        g.drawString("lower bound", left + 6, boundY - 5);

        g.setColor(Color.BLACK);
        g.drawLine(left, topY, left, bottom);
        g.drawLine(left, bottom, right, bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        Canvas.centre(g, "CPU id", (left + right) / 2, HEIGHT - 22);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        Canvas.centre(g, "interrupts since boot", -(topY + bottom) / 2, 24);
        g.setTransform(saved);

        legend(g, right - 8, topY + 8, row);
        g.dispose();
        return image;
    }

    /** The legend box, its right edge at {@code rightEdge}, as wide as its longest label. */
    private static void legend(Graphics2D g, int rightEdge, int y, Balance.Row row) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        String[] labels = {
            String.format(Locale.ROOT, "seed rule (IRQ mod cpuN dirs): %.0f%% on unusable CPUs",
                    100.0 * row.seed().unusableInterrupts() / row.total()),
            String.format(Locale.ROOT, "spread: busiest CPU %.2f x lower bound", row.spread().ratio())};
        int width = 44 + Math.max(g.getFontMetrics().stringWidth(labels[0]), g.getFontMetrics().stringWidth(labels[1]));
        int x = rightEdge - width;
        g.setColor(Color.WHITE);
        g.fillRect(x, y, width, 52);
        g.setColor(Color.GRAY);
        g.drawRect(x, y, width, 52);
        Color[] colours = {SEED, SPREAD};
        for (int k = 0; k < 2; k++) {
            g.setColor(colours[k]);
            g.fillRect(x + 10, y + 10 + k * 20, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(labels[k], x + 32, y + 22 + k * 20);
        }
    }

    private static void bar(Graphics2D g, Color colour, double x, double width, long value, double yMax, int topY, int bottom) {
        int y = yOf(value, yMax, topY, bottom);
        g.setColor(colour);
        g.fillRect((int) Math.round(x), y, (int) Math.round(width), bottom - y);
    }

    private static int yOf(double value, double yMax, int topY, int bottom) {
        return (int) Math.round(bottom - value / yMax * (bottom - topY));
    }

    private static long max(Map<Integer, Long> perCpu) {
        return perCpu.values().stream().mapToLong(Long::longValue).max().orElse(1);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}: round tick values. */
    private static double niceStep(double raw) {
        double power = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1))));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * power >= raw) {
                return m * power;
            }
        }
        return 10 * power;
    }
}
