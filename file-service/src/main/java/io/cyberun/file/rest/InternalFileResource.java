package io.cyberun.file.rest;

import io.cyberun.common.rest.ApiException;
import io.cyberun.common.security.CurrentPrincipal;
import io.cyberun.common.security.Roles;
import io.cyberun.contracts.error.FieldError;
import io.cyberun.contracts.files.DownloadLinks;
import io.cyberun.contracts.files.DownloadLinksRequest;
import io.cyberun.contracts.files.InputDescriptions;
import io.cyberun.contracts.files.InputUpload;
import io.cyberun.contracts.files.OutputUploadRequest;
import io.cyberun.contracts.files.UploadTargets;
import io.cyberun.file.config.StorageConfig;
import io.cyberun.file.service.InputService;
import io.cyberun.file.storage.ObjectStore;
import io.cyberun.file.storage.StorageKeys;
import io.cyberun.file.validation.Uploads;
import io.cyberun.file.validation.Uploads.MediaType;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** What other services ask file-service for: upload URLs for agents' outputs, download URLs for results. */
@Path("/internal/v1")
public class InternalFileResource {
    static final int MAX_FILES_PER_REQUEST = 1000;

    private final ObjectStore store;
    private final StorageConfig config;
    private final CurrentPrincipal principal;
    private final InputService inputs;
    private final io.cyberun.file.service.ModelService models;
    private final io.cyberun.file.service.StorageCleanup cleanup;

    public InternalFileResource(ObjectStore store, StorageConfig config, CurrentPrincipal principal, InputService inputs,
                                io.cyberun.file.service.ModelService models, io.cyberun.file.service.StorageCleanup cleanup) {
        this.models = models;
        this.cleanup = cleanup;
        this.store = store;
        this.config = config;
        this.principal = principal;
        this.inputs = inputs;
    }

    /**
     * Presigned PUTs for a task's output files, for the agent running it (agent-hub asks on the agent's
     * behalf, after checking the agent holds the task's current attempt).
     */
    @POST
    @RolesAllowed(Roles.AGENT)
    @Path("/tasks/{taskId}/outputs/uploads")
    public UploadTargets outputUploads(@PathParam("taskId") UUID taskId, OutputUploadRequest request) {
        UUID team = principal.teamId();
        List<OutputUploadRequest.OutputFile> files = request == null || request.files() == null ? List.of() : request.files();
        List<FieldError> errors = new ArrayList<>();
        if (files.isEmpty() || files.size() > MAX_FILES_PER_REQUEST) {
            errors.add(new FieldError("files", "must list 1 to " + MAX_FILES_PER_REQUEST + " files"));
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < files.size(); i++) {
            OutputUploadRequest.OutputFile f = files.get(i);
            if (f == null || !StorageKeys.isSafeName(f.name())) {
                errors.add(new FieldError("files[" + i + "].name", "must be a relative path of letters, digits, . _ - / and spaces, without .."));
            } else if (!names.add(f.name())) {
                errors.add(new FieldError("files[" + i + "].name", "duplicate name"));
            }
            if (f != null && (f.size() < 0 || f.size() > config.maxOutputSize())) {
                errors.add(new FieldError("files[" + i + "].size", "must be between 0 and " + config.maxOutputSize() + " bytes"));
            }
            if (f != null && f.contentType() != null && !Uploads.matches(MediaType.COMPILED, f.contentType())) {
                errors.add(new FieldError("files[" + i + "].content_type", "must be a media type such as image/png"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid("output upload request is invalid", errors);
        }
        String bucket = config.buckets().outputs();
        List<UploadTargets.Target> targets = files.stream().map(f -> {
            String key = StorageKeys.output(team, taskId, f.name());
            String type = f.contentType() == null ? "application/octet-stream" : f.contentType();
            ObjectStore.PresignedUpload put = store.presignPut(bucket, key, f.size(), type, false);
            return new UploadTargets.Target(f.name(), key, put.url(), put.headers(), put.expiresAt());
        }).toList();
        return new UploadTargets(targets);
    }

    /**
     * A presigned PUT for one input file of the caller's team, for task-service's {@code POST /api/v1/r/files/presign}
     * (which checks the file against the parameter it names first): the name, size and media type are checked here.
     */
    @POST
    @RolesAllowed(Roles.MEMBER)
    @Path("/inputs/presign")
    public Uni<InputService.Presigned> presignInput(InputUpload.Request request) {
        if (request == null) {
            throw ApiException.invalid("send file_name, file_size and content_type", List.of());
        }
        return inputs.presign(principal.teamId(), request.fileName(), request.fileSize(), request.contentType());
    }

    /** What is known of input keys the caller's team was issued (for checking file parameters of a run). */
    @POST
    @RolesAllowed({Roles.VIEWER, Roles.AGENT})
    @Path("/inputs/describe")
    public io.smallrye.mutiny.Uni<InputDescriptions.Result> describeInputs(InputDescriptions.Request request) {
        List<String> keys = request == null || request.storageKeys() == null ? List.of() : request.storageKeys();
        if (keys.size() > MAX_FILES_PER_REQUEST) {
            throw ApiException.invalid("too many keys", List.of(new FieldError("storage_keys", "at most " + MAX_FILES_PER_REQUEST)));
        }
        return inputs.describe(principal.teamId(), keys);
    }

    /** Runs the storage cleanup now (it also runs on a schedule); for operators and tests, services only. */
    @POST
    @RolesAllowed(Roles.SERVICE)
    @Path("/cleanup")
    public io.smallrye.mutiny.Uni<io.cyberun.file.service.StorageCleanup.Removed> cleanup() {
        return cleanup.run();
    }

    /** The caller's team's active models with fresh download URLs: what its agents sync. */
    @jakarta.ws.rs.GET
    @RolesAllowed({Roles.VIEWER, Roles.AGENT})
    @Path("/models/manifest")
    public io.smallrye.mutiny.Uni<io.cyberun.contracts.files.ModelManifest> modelManifest() {
        return models.manifest(principal.teamId());
    }

    /** Fresh download URLs for objects of the caller's team; a key of another team reads as not found. */
    @POST
    @RolesAllowed({Roles.VIEWER, Roles.AGENT})
    @Path("/downloads")
    public DownloadLinks downloads(DownloadLinksRequest request) {
        UUID team = principal.teamId();
        List<String> keys = request == null || request.storageKeys() == null ? List.of() : request.storageKeys();
        if (keys.size() > MAX_FILES_PER_REQUEST) {
            throw ApiException.invalid("too many keys", List.of(new FieldError("storage_keys", "at most " + MAX_FILES_PER_REQUEST)));
        }
        List<DownloadLinks.Link> links = new ArrayList<>();
        for (String key : keys) {
            StorageKeys.Kind kind = StorageKeys.kindOf(team, key).orElseThrow(() -> ApiException.notFound("object"));
            links.add(new DownloadLinks.Link(key, store.presignGet(store.bucketFor(kind), key)));
        }
        return new DownloadLinks(links, store.downloadExpiry());
    }
}
