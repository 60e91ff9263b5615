package org.xenirqpolicy.host;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotLinkException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.xenirqpolicy.model.InputException;
import org.xenirqpolicy.model.Quote;

/**
 * The machine we read and change, seen through one root directory: {@code /} on a dom0, a
 * directory tree in tests, a copied sosreport with {@code --root}. Every path the program uses
 * is an absolute host path such as {@code /proc/interrupts}, and no other class opens files.
 * <p>
 * Under a root other than {@code /}, paths resolve as they would for a process chrooted to it:
 * symbolic links are followed within the root, an absolute link target is taken from the root and
 * {@code ..} never climbs above it, so nothing outside the root is read or written. On {@code /}
 * the kernel resolves paths itself and none of that costs anything.
 * <p>
 * Errors, one rule for every method: a file that does not exist is an answer (an empty
 * {@code Optional}, an empty list, false), not an error. A file that exists but cannot be read,
 * listed or stat'ed is bad input, an {@link InputException}, since every command reads before it
 * writes. A write, link, removal or lock that fails is an {@link UncheckedIOException} whose
 * cause is the OS's error. Both carry one line naming the file and the OS's reason; no method
 * throws a checked exception.
 */
public final class Host {
    /** The kernel's limit on links followed in one path (MAXSYMLINKS): more is a loop. */
    static final int MAX_LINK_HOPS = 40;
    /** Marks our temporary files: {@code .NAME.xen-irq-policy.PID.tmp}, PID the writer's. */
    static final Pattern TEMP_NAME = Pattern.compile("\\..+\\.xen-irq-policy\\.([0-9]{1,10})\\.tmp");
    private static final Set<PosixFilePermission> DIRECTORY_MODE = PosixFilePermissions.fromString("rwxr-xr-x");
    private static final Set<PosixFilePermission> TEMP_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> LOCK_MODE = PosixFilePermissions.fromString("rw-r--r--");

    private final Path root;
    /** Whether the root is {@code /}: paths are then given to the kernel as they are. */
    private final boolean realRoot;
    /** Host directories already resolved within the root: thousands of files share a few. */
    private final ConcurrentHashMap<String, String> resolvedDirs = new ConcurrentHashMap<>();
    /** Modes that new files were seen to get whole from this process's umask: no chmod needed. */
    private final Set<Set<PosixFilePermission>> modesKept = ConcurrentHashMap.newKeySet();

    private Host(Path root) {
        this.root = root;
        this.realRoot = root.getParent() == null;
    }

    /** A host rooted at {@code root}, which must be an existing directory. */
    public static Host at(Path root) {
        if (!Files.exists(root)) {
            throw new InputException(Quote.line("root " + root + " does not exist"));
        }
        if (!Files.isDirectory(root)) {
            throw new InputException(Quote.line("root " + root + " is not a directory"));
        }
        return new Host(root.toAbsolutePath().normalize());
    }

    public Path root() {
        return root;
    }

    /** Whether this is the machine itself (root {@code /}), not a tree under a directory. */
    public boolean isRealRoot() {
        return realRoot;
    }

    /**
     * The device and inode of this process's file descriptor {@code fd} (1 or 2), as
     * {@code "DEV:INO"} in decimal, the form systemd gives JOURNAL_STREAM; empty if unknown. It
     * is the process's own stream, not a file of the host, so it is read outside the root.
     */
    public static Optional<String> standardStreamId(int fd) {
        try {
            Map<String, Object> attributes = Files.readAttributes(Path.of("/proc/self/fd/" + fd), "unix:dev,ino");
            return Optional.of(Long.toUnsignedString((Long) attributes.get("dev")) + ":"
                    + Long.toUnsignedString((Long) attributes.get("ino")));
        } catch (IOException | UnsupportedOperationException | UncheckedIOException | ClassCastException e) {
            return Optional.empty();
        }
    }

    /**
     * The effective user id of this process, or -1 if it cannot be read. It is the process's,
     * not the host's, so it comes from this machine's /proc whatever the root: the JDK has no call
     * for it, and the owner of /proc/self is root for a process that is not dumpable.
     */
    public static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.ISO_8859_1)) {
                // Uid: real, effective, saved set, filesystem.
                String[] f = line.split("\\s+");
                if (f.length >= 3 && f[0].equals("Uid:") && f[2].matches("[0-9]{1,10}")) {
                    return (int) Math.min(Long.parseLong(f[2]), Integer.MAX_VALUE);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Then nothing is refused in advance: the kernel's own errors speak.
        }
        return -1;
    }

    /**
     * The host path under the root as it is named, links not followed: what messages show.
     *
     * @throws java.nio.file.InvalidPathException if it cannot be a path (a NUL byte)
     */
    public Path path(String hostPath) {
        requireAbsolute(hostPath);
        return hostPath.equals("/") ? root : root.resolve(hostPath.substring(1));
    }

    /**
     * The contents of a file, or empty if it (or its directory) does not exist: an IRQ may vanish
     * between two reads. Bytes are read as ISO-8859-1 so that garbage never fails decoding.
     */
    public Optional<String> read(String hostPath) {
        try {
            return Optional.of(new String(readBytes(hostPath), StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new InputException(Quote.line("cannot read " + path(hostPath) + ": " + reason(e)));
        }
    }

    /**
     * The contents of a file, or empty if it does not exist or cannot be read: for one IRQ's
     * attributes, where a read that fails (EIO, a race with the IRQ going away) makes that
     * attribute unknown, not the whole host unreadable.
     */
    public Optional<String> readIfReadable(String hostPath) {
        try {
            return Optional.of(new String(readBytes(hostPath), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private byte[] readBytes(String hostPath) throws IOException {
        try (FileChannel in = openWithinRoot(hostPath, false)) {
            return readAll(in);
        }
    }

    // The options of the three kinds of open, and modes, made once: an apply opens thousands of files.
    private static final Set<OpenOption> CREATE_NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
    private static final Map<String, Set<PosixFilePermission>> MODES = new ConcurrentHashMap<>();
    private static final Set<OpenOption> READ = Set.of(StandardOpenOption.READ);
    private static final Set<OpenOption> READ_NO_FOLLOW = Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    private static final Set<OpenOption> WRITE_IN_PLACE = Set.of(StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    private static final Set<OpenOption> WRITE_IN_PLACE_NO_FOLLOW = Set.of(StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS);

    /**
     * Opens an existing file without leaving the root. On {@code /} the kernel resolves the path.
     * Under another root the last component is opened with O_NOFOLLOW, which costs nothing when
     * it is not a link (nearly always) and, for a write, fails on a link before it truncates
     * anything; a link is then resolved within the root and opened there.
     */
    private FileChannel openWithinRoot(String hostPath, boolean inPlaceWrite) throws IOException {
        if (realRoot) {
            return FileChannel.open(path(hostPath), inPlaceWrite ? WRITE_IN_PLACE : READ);
        }
        Set<OpenOption> noFollow = inPlaceWrite ? WRITE_IN_PLACE_NO_FOLLOW : READ_NO_FOLLOW;
        Path file = unfollowed(hostPath);
        try {
            return FileChannel.open(file, noFollow);
        } catch (IOException e) {
            // On a link the JDK reports ELOOP as a plain IOException.
            if (e instanceof NoSuchFileException || !Files.isSymbolicLink(file)) {
                throw e;
            }
        }
        return FileChannel.open(followed(hostPath), noFollow);
    }

    /**
     * All of a file, read until the end without asking its size first: an apply reads thousands
     * of files of a few bytes, whose size the kernel does not know anyway (files of /proc say 0
     * and those of /sys 4096, whatever they hold), and an fstat each is as many system calls. The
     * buffer starts small, as a fixed large one each would be garbage, and doubles as needed.
     */
    private static byte[] readAll(SeekableByteChannel in) throws IOException {
        byte[] buffer = new byte[128];
        int n = 0;
        while (true) {
            int read = in.read(ByteBuffer.wrap(buffer, n, buffer.length - n));
            if (read < 0) {
                return n == buffer.length ? buffer : Arrays.copyOf(buffer, n);
            }
            n += read;
            if (n == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2);
            }
        }
    }

    /** Like {@link #read} but the file must exist. */
    public String readRequired(String hostPath) {
        return read(hostPath).orElseThrow(() -> new InputException(Quote.line("cannot read " + path(hostPath) + ": no such file")));
    }

    /** Whether something is at the host path; a link counts, wherever it points. */
    public boolean exists(String hostPath) {
        try {
            return Files.exists(unfollowed(hostPath), LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * When the file at the host path was last modified (a link itself, not its target), or empty
     * if nothing is there: a request file may be answered between the listing and this.
     */
    public Optional<Instant> modified(String hostPath) {
        try {
            return Optional.of(Files.getLastModifiedTime(unfollowed(hostPath), LinkOption.NOFOLLOW_LINKS).toInstant());
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new InputException(Quote.line("cannot read " + path(hostPath) + ": " + reason(e)));
        }
    }

    /**
     * Whether the host path is a regular file (a link is not followed) owned by root or by this
     * process's user: a record only such a writer may be trusted to have written.
     */
    public boolean isTrustedFile(String hostPath) {
        OptionalInt owner = regularFileOwner(hostPath);
        return owner.isPresent() && (owner.getAsInt() == 0 || owner.getAsInt() == effectiveUid());
    }

    /**
     * The user id owning the regular file at the host path, or empty if nothing is there or it is
     * not a regular file (a link is not followed): for a record that only its writer may be
     * trusted to have written.
     */
    public OptionalInt regularFileOwner(String hostPath) {
        try {
            Path file = unfollowed(hostPath);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return OptionalInt.empty();
            }
            return OptionalInt.of((Integer) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalInt.empty();
        }
    }

    /** Whether the host path is a directory, links followed within the root. */
    public boolean isDirectory(String hostPath) {
        try {
            return Files.isDirectory(followed(hostPath));
        } catch (IOException e) {
            return false;
        }
    }

    /** The target of a symbolic link as written in it, or empty if the path is not one. */
    public Optional<String> linkTarget(String hostPath) {
        try {
            return Optional.of(Files.readSymbolicLink(unfollowed(hostPath)).toString());
        } catch (NotLinkException | NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot read link " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Whether two host paths name the same existing file, links followed within the root (a
     * relative link such as {@code ln -sr} writes resolves as the kernel would resolve it there).
     * False when either does not exist or cannot be read.
     */
    public boolean sameFile(String hostPath, String other) {
        try {
            return Files.isSameFile(followed(hostPath), followed(other));
        } catch (IOException | InvalidPathException e) {
            return false;
        }
    }

    /** Creates a symbolic link at a host path to {@code target}, an absolute host path kept as it is. */
    public void symlink(String hostPath, String target) {
        try {
            Files.createSymbolicLink(unfollowed(hostPath), Path.of(target));
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot create link " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /** Names in a directory, sorted; empty if the directory does not exist. */
    public List<String> list(String hostDir) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(realRoot ? path(hostDir) : followed(hostDir))) {
            for (Path entry : entries) {
                names.add(entry.getFileName().toString());
            }
        } catch (NoSuchFileException | NotDirectoryException e) {
            return List.of();
        } catch (IOException e) {
            throw new InputException(Quote.line("cannot list " + path(hostDir) + ": " + reason(e)));
        }
        names.sort(null);
        return names;
    }

    /**
     * Writes a kernel attribute such as {@code /proc/irq/N/smp_affinity_list} in place, in one
     * write, never creating it: a missing file means the IRQ is gone, and must stay gone.
     *
     * @return false, writing nothing, if the file does not exist
     */
    public boolean writeInPlace(String hostPath, String content) {
        try (FileChannel out = openWithinRoot(hostPath, true)) {
            out.write(ByteBuffer.wrap(content.getBytes(StandardCharsets.ISO_8859_1)));
            return true;
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot write " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Where {@link #writeAtomically} would write a host path: the path itself, or, if it is a
     * symbolic link, the regular file the link leads to within the root (as
     * {@code sed -i --follow-symlinks} edits). Anything else is refused with one line naming it:
     * a link to /dev/null (a masked file), a dangling link, a link loop, a directory, a device.
     *
     * @return the host path of the file to replace, which may not exist yet
     */
    public String replaceableTarget(String hostPath) {
        try {
            return target(hostPath).hostPath();
        } catch (Refused e) {
            throw new InputException(e.getMessage());
        } catch (IOException e) {
            throw new InputException(Quote.line("cannot write " + path(hostPath) + ": " + reason(e)));
        }
    }

    /**
     * Replaces a file so that readers see either the old or the new contents, never a mix: a
     * temporary file in the same directory, synced, renamed over the old one. A link is replaced
     * at its target (see {@link #replaceableTarget}). The new file has the mode, owner and group
     * of the one it replaces, or {@code permissionsIfNew} and the process's own if there is none,
     * whatever the umask; a directory created for it is 0755. The temporary file is created
     * exclusively, 0600, named {@code .NAME.xen-irq-policy.PID.tmp}, and removed on every failure;
     * one left by a writer that was killed (its PID no longer alive) is removed by the next write
     * to the directory. Returns false, writing nothing, if the file already holds these bytes.
     */
    public boolean writeAtomically(String hostPath, byte[] content, String permissionsIfNew) {
        Target target;
        try {
            target = target(hostPath);
        } catch (Refused e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot write " + path(hostPath) + ": " + reason(e)), e);
        }
        Path file = target.file();
        Path dir = file.getParent();
        Path temp = null;
        try {
            removeStaleTemporaryFiles(dir);
            if (target.existing() != null && Arrays.equals(Files.readAllBytes(file), content)) {
                return false;
            }
            createDirectories(dir);
            temp = dir.resolve(temporaryName(file.getFileName().toString()));
            try (FileChannel out = createExclusively(temp)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                out.force(true);
            }
            PosixFileAttributeView view = Files.getFileAttributeView(temp, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            PosixFileAttributes existing = target.existing();
            if (existing != null) {
                // Owner first: changing it may clear mode bits, never add them.
                view.setOwner(existing.owner());
                view.setGroup(existing.group());
                view.setPermissions(existing.permissions());
            } else {
                view.setPermissions(PosixFilePermissions.fromString(permissionsIfNew));
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new InputException(Quote.line("cannot replace " + file + " atomically: " + reason(e)));
            }
            temp = null;
            syncDirectory(dir);
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot write " + file + ": " + reason(e)), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Then it carries our PID, and the next write here removes it once we are gone.
                }
            }
        }
    }

    /**
     * A new file of ours, 0600 whatever the umask (which can only narrow it). One already there
     * under our PID was left by an earlier process that had it, which is dead: it goes.
     */
    private static FileChannel createExclusively(Path temp) throws IOException {
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(TEMP_MODE);
        try {
            return FileChannel.open(temp, options, mode);
        } catch (FileAlreadyExistsException e) {
            Files.delete(temp);
            return FileChannel.open(temp, options, mode);
        }
    }

    /**
     * The name of this process's temporary file (or link) for {@code name}, in the same directory:
     * {@code .NAME.xen-irq-policy.PID.tmp}, as {@link #TEMP_NAME} matches it.
     */
    private static String temporaryName(String name) {
        return "." + name + ".xen-irq-policy." + ProcessHandle.current().pid() + ".tmp";
    }

    /** Removes the temporary files (and links, see {@link #replaceLink}) in {@code dir} whose writers are no longer running. */
    private static void removeStaleTemporaryFiles(Path dir) {
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.xen-irq-policy.*.tmp")) {
            for (Path entry : entries) {
                Matcher m = TEMP_NAME.matcher(entry.getFileName().toString());
                if (!m.matches()) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid != self && ProcessHandle.of(pid).isEmpty()
                        && (Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS) || Files.isSymbolicLink(entry))) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException ignored) {
            // A directory not there yet holds none; one we cannot clean leaves a harmless file.
        }
    }

    /**
     * Creates a new directory, 0755 whatever the umask, and its missing parents likewise; one
     * already there is an error: a directory of ours is always made whole by its one writer.
     */
    public void createDirectory(String hostPath) {
        try {
            Path dir = unfollowed(hostPath);
            createDirectories(dir.getParent());
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot create " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Creates a new file holding {@code content}, mode {@code permissions} whatever the umask;
     * a file, link or anything else already there is an error and is left as it is. Not synced:
     * for the many small files of a directory that is made whole before anything points to it
     * (see {@link #replaceLink}), in /run, which no crash survives.
     */
    public void createFile(String hostPath, byte[] content, String permissions) {
        Set<PosixFilePermission> mode = MODES.computeIfAbsent(permissions, p -> Set.copyOf(PosixFilePermissions.fromString(p)));
        try {
            Path file = unfollowed(hostPath);
            try (FileChannel out = FileChannel.open(file, CREATE_NEW, PosixFilePermissions.asFileAttribute(mode))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            // The umask can only narrow the mode asked for: once a file was seen to keep it, the
            // process's umask (which no thread of ours changes) keeps it for the next thousands.
            if (!modesKept.contains(mode)) {
                if (Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS).equals(mode)) {
                    modesKept.add(mode);
                } else {
                    Files.setPosixFilePermissions(file, mode);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot write " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Replaces a file of a directory of ours so that a reader opens the old one or the new one,
     * never a part: {@code content} written as {@link #createFile} writes it (mode
     * {@code permissions}, not synced) under a temporary name beside it,
     * {@code .NAME.xen-irq-policy.PID.tmp}, then renamed over it. For the few files of a plan's
     * directory that a save changes in place, which {@link #writeAtomically} would sync and scan
     * the whole directory for (thousands of entries) each time. The temporary file is removed on
     * failure; one a killed writer left goes with its directory (see PlanStore).
     */
    public void replaceFile(String hostPath, byte[] content, String permissions) {
        String name = hostPath.substring(hostPath.lastIndexOf('/') + 1);
        String temp = hostPath.substring(0, hostPath.length() - name.length()) + temporaryName(name);
        createFile(temp, content, permissions);
        try {
            Files.move(unfollowed(temp), unfollowed(hostPath), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(unfollowed(temp));
            } catch (IOException ignored) {
                // Named after our PID, in a directory the next full save removes.
            }
            throw new UncheckedIOException(Quote.line("cannot replace " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Points the symbolic link at {@code hostPath} to {@code target}, a name in the same
     * directory, by renaming a new link over whatever is there (a link, a file, nothing): a
     * reader opening a path through it finds the old target or the new one, never nothing. The
     * new link is a temporary file of ours until the rename, named as {@link #writeAtomically}'s.
     */
    public void replaceLink(String hostPath, String target) {
        if (target.contains("/")) {
            throw new IllegalArgumentException("link target must be a name in the link's directory: " + Quote.line(target));
        }
        Path temp = null;
        try {
            Path link = unfollowed(hostPath);
            Path dir = link.getParent();
            removeStaleTemporaryFiles(dir);
            temp = dir.resolve(temporaryName(link.getFileName().toString()));
            Files.deleteIfExists(temp);
            Files.createSymbolicLink(temp, Path.of(target));
            Files.move(temp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
            syncDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot replace link " + path(hostPath) + ": " + reason(e)), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Then it carries our PID, and the next replacement here removes it once we are gone.
                }
            }
        }
    }

    /**
     * Removes a directory and everything in it, links removed as links, never followed; nothing
     * there is no error. A directory of ours holds files only: a subdirectory is removed too.
     */
    public void deleteTree(String hostPath) {
        try {
            deleteTree(unfollowed(hostPath));
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot remove " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    private static void deleteTree(Path path) throws IOException {
        try {
            // Nearly always a file, or an empty directory: removed in one step, without a stat of
            // ours (the JDK's own, of the link itself, tells a directory from a file).
            Files.deleteIfExists(path);
            return;
        } catch (DirectoryNotEmptyException e) {
            // Its entries first, then itself.
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(path)) {
            stream.forEach(entries::add);
        }
        // A plan's directory holds thousands of files: unlinked over the CPUs.
        try {
            Parallel.map(entries.size(), i -> {
                try {
                    deleteTree(entries.get(i));
                    return entries.get(i);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        Files.deleteIfExists(path);
    }

    /** Creates a directory and its missing parents, each 0755 whatever the umask. */
    private static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            if (Files.isDirectory(dir)) {
                return;
            }
            throw e;
        }
        Files.setPosixFilePermissions(dir, DIRECTORY_MODE);
    }

    public void delete(String hostPath) {
        try {
            Files.deleteIfExists(unfollowed(hostPath));
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot remove " + path(hostPath) + ": " + reason(e)), e);
        }
    }

    /**
     * Takes an exclusive lock on a lock file, waiting for any holder, so that two processes never
     * interleave their changes. Released when the returned lock is closed or the process dies.
     * {@link HostLock#waited()} says whether another holder had it first: what was read before
     * may then be out of date. A new lock file is 0644 and its directory 0755, whatever the umask;
     * a link is followed as {@link #writeAtomically} follows one.
     */
    public HostLock lock(String hostPath) {
        Path file = path(hostPath);
        try {
            file = target(hostPath).file();
            createDirectories(file.getParent());
            FileChannel channel;
            boolean created = true;
            try {
                channel = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(LOCK_MODE));
            } catch (FileAlreadyExistsException e) {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                created = false;
            }
            try {
                if (created) {
                    // The umask narrowed the mode asked for at creation; a lock file is 0644.
                    Files.setPosixFilePermissions(file, LOCK_MODE);
                }
                FileLock lock = channel.tryLock();
                boolean waited = lock == null;
                if (waited) {
                    lock = channel.lock();
                }
                return new HostLock(file, channel, lock, waited);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (Refused e) {
            throw new UncheckedIOException(e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(Quote.line("cannot lock " + file + ": " + reason(e)), e);
        }
    }

    /** An exclusive lock held on a file (named in messages as {@code file}); closing it releases the lock. */
    public record HostLock(Path file, FileChannel channel, FileLock lock, boolean waited) implements AutoCloseable {
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
                throw new UncheckedIOException(Quote.line("cannot read " + file + ": " + reason(e)), e);
            }
        }

        /** Replaces what the lock file says, for the next holder to compare (see engine/ApplyLock). */
        public void mark(String text) {
            try {
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.ISO_8859_1)), 0);
            } catch (IOException e) {
                throw new UncheckedIOException(Quote.line("cannot write " + file + ": " + reason(e)), e);
            }
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

    // Resolution within the root. A resolved host path is absolute and normalised, and none of
    // its components that exist is a link; under the root it names the file root + that path.

    /** A refusal to write a file that is not a regular file: one line, ending "left unchanged". */
    private static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(Quote.line(message + "; left unchanged"));
        }
    }

    /**
     * The file a write goes to.
     *
     * @param hostPath resolved; the file itself is not a link
     * @param existing its attributes, null if there is no file yet
     */
    private record Target(String hostPath, Path file, PosixFileAttributes existing) {
    }

    /** See {@link #replaceableTarget}. */
    private Target target(String hostPath) throws IOException {
        requireAbsolute(hostPath);
        String at = resolve(resolvedDir(parentOf(hostPath)), nameOf(hostPath), false);
        boolean viaLink = false;
        for (int hops = 0; ; hops++) {
            Path file = onDisk(at);
            PosixFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                attributes = null;
            }
            String what = path(hostPath) + (viaLink ? " is a link to " + at : " is");
            if (viaLink && at.equals("/dev/null")) {
                throw new Refused(path(hostPath) + " is a link to /dev/null (masked)");
            }
            if (attributes == null) {
                if (viaLink) {
                    throw new Refused(what + ", which does not exist");
                }
                return new Target(at, file, null);
            }
            if (attributes.isRegularFile()) {
                return new Target(at, file, attributes);
            }
            if (!attributes.isSymbolicLink()) {
                throw new Refused(what + (attributes.isDirectory() ? (viaLink ? ", a directory" : " a directory")
                        : (viaLink ? ", which is not a regular file" : " not a regular file")));
            }
            if (hops == MAX_LINK_HOPS) {
                throw new Refused(path(hostPath) + " is a link loop (more than " + MAX_LINK_HOPS + " links)");
            }
            viaLink = true;
            at = resolve(parentOf(at), Files.readSymbolicLink(file).toString(), false);
        }
    }

    /** The file to open for a host path, every link in it followed within the root. */
    private Path followed(String hostPath) throws IOException {
        requireAbsolute(hostPath);
        return realRoot ? path(hostPath) : onDisk(resolve(resolvedDir(parentOf(hostPath)), nameOf(hostPath), true));
    }

    /**
     * The file to open for a host path, links followed within the root in its directory but not
     * in its last component: an open with {@code NOFOLLOW_LINKS} then never leaves the root.
     */
    private Path unfollowed(String hostPath) throws IOException {
        requireAbsolute(hostPath);
        if (realRoot) {
            return path(hostPath);
        }
        String name = nameOf(hostPath);
        String dir = resolvedDir(parentOf(hostPath));
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return onDisk(resolve(dir, name, false));
        }
        return onDisk(dir.equals("/") ? "/" + name : dir + "/" + name);
    }

    /** A host directory resolved, remembered once it exists (resolving costs a stat per component). */
    private String resolvedDir(String hostDir) throws IOException {
        if (hostDir.equals("/")) {
            return "/";
        }
        String known = resolvedDirs.get(hostDir);
        if (known != null) {
            return known;
        }
        String parent = resolvedDir(parentOf(hostDir));
        String name = nameOf(hostDir);
        Resolution resolved = plainDirectory(parent, name);
        if (resolved == null) {
            resolved = resolution(parent, name, true);
        }
        if (resolved.directory()) {
            resolvedDirs.putIfAbsent(hostDir, resolved.hostPath());
        }
        return resolved.hostPath();
    }

    /**
     * The common case, a plain name in a resolved directory that is not a link, in one stat and
     * without the general walk; null for anything else (a link, {@code ..}, a missing name).
     */
    private Resolution plainDirectory(String parent, String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            return null;
        }
        String path = parent.equals("/") ? "/" + name : parent + "/" + name;
        try {
            BasicFileAttributes attributes = Files.readAttributes(onDisk(path), BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            return attributes.isDirectory() ? new Resolution(path, true) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Resolves {@code rest} (a path relative to {@code base}, or absolute: from the root) as the
     * kernel would in a chroot to the root: each existing component that is a link is replaced
     * by its target, an absolute target starting again from the root, and {@code ..} goes up one
     * resolved component, never above the root. Components from the first missing one on are
     * kept as they are: nothing is there to follow.
     *
     * @param base       a resolved host path
     * @param followLast whether a link in the last component is followed too
     */
    private String resolve(String base, String rest, boolean followLast) throws IOException {
        return resolution(base, rest, followLast).hostPath();
    }

    /** A resolved host path, and whether it was seen to be an existing directory. */
    private record Resolution(String hostPath, boolean directory) {
    }

    private Resolution resolution(String base, String rest, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>();
        pushFront(todo, rest);
        List<String> done = new ArrayList<>();
        if (!rest.startsWith("/")) {
            pushFront(done, base);
        }
        boolean missing = false;
        boolean directory = rest.isEmpty() || rest.equals("/");
        int hops = 0;
        while (!todo.isEmpty()) {
            String name = todo.pollFirst();
            if (name.isEmpty() || name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                if (!done.isEmpty()) {
                    done.removeLast();
                }
                continue;
            }
            done.add(name);
            directory = false;
            if (missing || (todo.isEmpty() && !followLast)) {
                continue;
            }
            Path here = onDisk(join(done));
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(here, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                missing = true;
                continue;
            } catch (FileSystemException e) {
                // Not a directory, or not searchable: the open that follows reports it.
                missing = true;
                continue;
            }
            if (attributes.isSymbolicLink()) {
                if (++hops > MAX_LINK_HOPS) {
                    throw new FileSystemException(onDisk(join(done)).toString(), null, "too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(here).toString();
                done.removeLast();
                if (target.startsWith("/")) {
                    done.clear();
                }
                pushFront(todo, target);
            } else {
                directory = attributes.isDirectory();
            }
        }
        return new Resolution(join(done), directory);
    }

    private static void pushFront(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.addFirst(parts[i]);
        }
    }

    private static void pushFront(List<String> done, String resolved) {
        for (String part : resolved.split("/")) {
            if (!part.isEmpty()) {
                done.add(part);
            }
        }
    }

    private static String join(List<String> components) {
        return "/" + String.join("/", components);
    }

    /** The file under the root for a resolved host path. */
    private Path onDisk(String resolved) {
        return resolved.equals("/") ? root : root.resolve(resolved.substring(1));
    }

    private static String parentOf(String hostPath) {
        int slash = hostPath.lastIndexOf('/');
        return slash <= 0 ? "/" : hostPath.substring(0, slash);
    }

    private static String nameOf(String hostPath) {
        return hostPath.substring(hostPath.lastIndexOf('/') + 1);
    }

    private static void requireAbsolute(String hostPath) {
        if (!hostPath.startsWith("/")) {
            throw new IllegalArgumentException("host path must be absolute: " + Quote.line(hostPath));
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
