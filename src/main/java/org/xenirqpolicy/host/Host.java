package org.xenirqpolicy.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xenirqpolicy.model.InputException;

/**
 * The machine we read and change, seen through one root directory: {@code /} on a dom0, a
 * directory tree in tests, a copied sosreport with {@code --root}. Every path the program uses
 * is an absolute host path such as {@code /proc/interrupts}; nothing outside the root is ever
 * touched, and no other class opens files.
 */
public final class Host {
    private final Path root;

    private Host(Path root) {
        this.root = root;
    }

    /** A host rooted at {@code root}, which must be an existing directory. */
    public static Host at(Path root) {
        if (!Files.exists(root)) {
            throw new InputException("root " + root + " does not exist");
        }
        if (!Files.isDirectory(root)) {
            throw new InputException("root " + root + " is not a directory");
        }
        return new Host(root.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    /** The real path of a host path; rejects relative paths and {@code ..} so no path escapes the root. */
    public Path path(String hostPath) {
        if (!hostPath.startsWith("/")) {
            throw new IllegalArgumentException("host path must be absolute: " + hostPath);
        }
        for (String part : hostPath.split("/")) {
            if (part.equals("..")) {
                throw new IllegalArgumentException("host path must not contain '..': " + hostPath);
            }
        }
        return hostPath.equals("/") ? root : root.resolve(hostPath.substring(1));
    }

    /**
     * The contents of a file, or empty if it (or its directory) does not exist: an IRQ may vanish
     * between two reads. Bytes are read as ISO-8859-1 so that garbage never fails decoding.
     */
    public Optional<String> read(String hostPath) {
        Path file = path(hostPath);
        try {
            return Optional.of(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new InputException("cannot read " + file + ": " + reason(e));
        }
    }

    /** Like {@link #read} but the file must exist. */
    public String readRequired(String hostPath) {
        return read(hostPath).orElseThrow(() -> new InputException("cannot read " + path(hostPath) + ": no such file"));
    }

    public boolean exists(String hostPath) {
        return Files.exists(path(hostPath), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** Whether the host path is a directory. A policy directory named by an absolute link
     *  would point outside the root, so links are not followed. */
    public boolean isDirectory(String hostPath) {
        return Files.isDirectory(path(hostPath), java.nio.file.LinkOption.NOFOLLOW_LINKS);
    }

    /** The target of a symbolic link, or empty if the path is not one. */
    public Optional<String> linkTarget(String hostPath) {
        try {
            return Optional.of(Files.readSymbolicLink(path(hostPath)).toString());
        } catch (java.nio.file.NotLinkException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read link " + path(hostPath) + ": " + reason(e), e);
        }
    }

    /** Creates a symbolic link at a host path to {@code target}, an absolute host path kept as it is. */
    public void symlink(String hostPath, String target) {
        try {
            Files.createSymbolicLink(path(hostPath), Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create link " + path(hostPath) + ": " + reason(e), e);
        }
    }

    /** Names in a directory, sorted; empty if the directory does not exist. */
    public List<String> list(String hostDir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path(hostDir))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new InputException("cannot list " + path(hostDir) + ": " + reason(e));
        }
        names.sort(null);
        return names;
    }

    /**
     * Writes a kernel attribute such as {@code /proc/irq/N/smp_affinity_list} in place, in one
     * write, never creating it: a missing file means the IRQ is gone, and must stay gone.
     */
    public void writeInPlace(String hostPath, String content) throws IOException {
        try (FileChannel out = FileChannel.open(path(hostPath), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.ISO_8859_1)));
        }
    }

    /**
     * Replaces a file so that readers see either the old or the new contents, never a mix: a
     * temporary file in the same directory, synced, renamed over the old one. An existing file
     * keeps its permissions and owner. Returns false, writing nothing, if the file already holds
     * exactly these bytes.
     */
    public boolean writeAtomically(String hostPath, byte[] content, String permissionsIfNew) {
        Path file = path(hostPath);
        Path dir = file.getParent();
        Path temp = null;
        try {
            if (Files.isRegularFile(file) && java.util.Arrays.equals(Files.readAllBytes(file), content)) {
                return false;
            }
            Files.createDirectories(dir);
            PosixFileAttributes existing = Files.exists(file)
                    ? Files.readAttributes(file, PosixFileAttributes.class) : null;
            temp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class);
            if (existing != null) {
                view.setPermissions(existing.permissions());
                view.setOwner(existing.owner());
                view.setGroup(existing.group());
            } else {
                view.setPermissions(PosixFilePermissions.fromString(permissionsIfNew));
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new InputException("cannot replace " + file + " atomically: " + reason(e));
            }
            temp = null;
            syncDirectory(dir);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + reason(e), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Best effort: a stray temporary file is harmless and named as such.
                }
            }
        }
    }

    public void delete(String hostPath) {
        try {
            Files.deleteIfExists(path(hostPath));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + path(hostPath) + ": " + reason(e), e);
        }
    }

    /**
     * Takes an exclusive lock on a lock file, waiting for any holder, so that two processes never
     * interleave their changes. Released when the returned lock is closed or the process dies.
     * {@link HostLock#waited()} says whether another holder had it first: what was read before
     * may then be out of date.
     */
    public HostLock lock(String hostPath) {
        Path file = path(hostPath);
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                FileLock lock = channel.tryLock();
                boolean waited = lock == null;
                if (waited) {
                    lock = channel.lock();
                }
                return new HostLock(channel, lock, waited);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file + ": " + reason(e), e);
        }
    }

    /** An exclusive lock held on a file; closing it releases the lock. */
    public record HostLock(FileChannel channel, FileLock lock, boolean waited) implements AutoCloseable {
        /**
         * What the lock file says, read through the lock's own channel: the lock is a POSIX
         * record lock, which closing any other descriptor of the file would release.
         */
        public String marked() {
            try {
                ByteBuffer text = ByteBuffer.allocate((int) Math.min(channel.size(), 4096));
                channel.read(text, 0);
                return new String(text.array(), 0, text.position(), StandardCharsets.ISO_8859_1);
            } catch (IOException e) {
                return "";
            }
        }

        /** Replaces what the lock file says, for the next holder to compare (see the engine's apply). */
        public void mark(String text) throws IOException {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)), 0);
        }

        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Closing the channel releases the lock; nothing else to undo.
            }
        }
    }

    private static void syncDirectory(Path dir) {
        // Makes the rename itself durable, so a crash cannot bring back the old file.
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // Some file systems refuse to sync a directory; the rename is still atomic.
        }
    }

    /** The OS's reason for a failed file operation, without the Java exception class. */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
