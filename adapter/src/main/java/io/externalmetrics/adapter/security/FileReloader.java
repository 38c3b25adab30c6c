package io.externalmetrics.adapter.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Applies a set of files again whenever their content changes and they still load: certificates
 * that cert-manager rotates in place or Kubernetes replaces by swapping a symlink (file events miss
 * those, so content is compared). A change that does not load (a broken file, a certificate whose
 * key has not been written yet) is not applied and reported once per state of the files, so a
 * half-written rotation costs one report and is picked up as soon as the rest arrives; files that
 * go back to what was applied make a later breakage news again.
 */
public final class FileReloader {

    private final List<Path> files;
    private final ReentrantLock lock = new ReentrantLock();
    // guarded by lock
    private Contents applied;
    private Contents rejected;

    /**
     * Takes the files' content now as what is applied: read it before loading the files the first
     * time, so that a change in between is newer than what is recorded and the next check applies it.
     */
    public FileReloader(List<Path> files) {
        this.files = List.copyOf(files);
        this.applied = Contents.read(this.files);
    }

    /**
     * Reads the files once; when their content differs from what was applied last, runs {@code apply},
     * which loads them and throws when they do not load.
     *
     * @param rejected told why, once per state of the files that does not load
     * @return whether {@code apply} ran and succeeded
     */
    public boolean check(Runnable apply, Consumer<RuntimeException> rejected) {
        Objects.requireNonNull(apply, "apply");
        Objects.requireNonNull(rejected, "rejected");
        lock.lock();
        try {
            Contents now = Contents.read(files);
            if (now.equals(applied)) {
                this.rejected = null;
                return false;
            }
            if (now.equals(this.rejected)) {
                return false;
            }
            try {
                apply.run();
            } catch (RuntimeException e) {
                // thrown out of a scheduled check it would silently end all later checks
                this.rejected = now;
                rejected.accept(e);
                return false;
            }
            applied = now;
            this.rejected = null;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The bytes of every file as last read; a file that could not be read (or is too large) is {@code null}. */
    private record Contents(List<byte[]> bytes) {

        static Contents read(List<Path> files) {
            return new Contents(files.stream().map(Contents::bytes).toList());
        }

        private static byte[] bytes(Path file) {
            try {
                if (Files.size(file) > PemFiles.MAX_FILE_BYTES) {
                    return null; // loading it reports the size
                }
                return Files.readAllBytes(file);
            } catch (IOException e) {
                return null; // loading it reports why
            }
        }

        @Override
        public boolean equals(Object other) {
            if (!(other instanceof Contents that) || that.bytes.size() != bytes.size()) {
                return false;
            }
            for (int i = 0; i < bytes.size(); i++) {
                if (!Arrays.equals(bytes.get(i), that.bytes.get(i))) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return bytes.stream().mapToInt(Arrays::hashCode).reduce(17, (a, b) -> 31 * a + b);
        }
    }
}
