/// The API described once: OpenAPI 3.1, served at `GET /v1/openapi.yaml`. The same text is
/// checked in as docs/openapi.yaml (APITypesTests fails when the two differ, or when a
/// schema's fields and its Swift type's coding keys do not match): edit both together.
public enum OpenAPIDocument {
    /// The document.
    public static let yaml = #"""
openapi: 3.1.0
info:
  title: Sluice local API
  version: "1"
  description: >-
    The API a running `sluice run` serves on its Unix socket and TCP listener (docs/api.md).
    Every request needs `Authorization: Bearer TOKEN`. Request and response bodies are the
    Swift types of the APITypes module, whose names the schemas below share; a test
    (APITypesTests) keeps their fields and these schemas equal.
servers:
  - url: http://localhost
security:
  - bearer: []
paths:
  /v1/openapi.yaml:
    get:
      summary: This document.
      responses:
        "200": { description: The document, content: { application/yaml: { schema: { type: string } } } }
        "401": { $ref: "#/components/responses/Error" }
  /v1/status:
    get:
      summary: Uptime, workers, fail mode, interfaces, the policy in force, loaded sensors.
      responses:
        "200": { description: Status, content: { application/json: { schema: { $ref: "#/components/schemas/StatusResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
  /v1/policy:
    get:
      summary: The policy in force; `?format=yaml` returns the YAML itself. `ETag` is the version.
      parameters:
        - { name: format, in: query, schema: { type: string, enum: [json, yaml] } }
      responses:
        "200":
          description: The policy
          content:
            application/json: { schema: { $ref: "#/components/schemas/PolicyResponse" } }
            application/yaml: { schema: { type: string } }
        "401": { $ref: "#/components/responses/Error" }
    put:
      summary: Validate a policy and put it in force; answered once every worker runs it.
      parameters:
        - { name: name, in: query, description: The file name errors use, schema: { type: string } }
        - { name: If-Match, in: header, description: 'Only over this version ("N")', schema: { type: string } }
      requestBody: { required: true, content: { application/yaml: { schema: { type: string } } } }
      responses:
        "200": { description: In force, content: { application/json: { schema: { $ref: "#/components/schemas/PushResponse" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
        "500": { $ref: "#/components/responses/Error" }
  /v1/policy/learned:
    get:
      summary: What discover mode learned, the policy allowing exactly it, and that merged into the policy in force.
      parameters:
        - { name: mode, in: query, schema: { type: string, enum: [discover, monitor, protect], default: protect } }
        - { name: format, in: query, schema: { type: string, enum: [json, yaml] } }
        - { name: merge, in: query, description: "With format=yaml: 1 returns `merged`", schema: { type: string } }
      responses:
        "200":
          description: Learned
          content:
            application/json: { schema: { $ref: "#/components/schemas/LearnedPolicyResponse" } }
            application/yaml: { schema: { type: string } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
  /v1/sensors:
    get:
      summary: The loaded sensors and the last pushed sensor file; `?format=yaml` returns that file.
      parameters:
        - { name: format, in: query, schema: { type: string, enum: [json, yaml] } }
      responses:
        "200":
          description: Sensors
          content:
            application/json: { schema: { $ref: "#/components/schemas/SensorsResponse" } }
            application/yaml: { schema: { type: string } }
        "401": { $ref: "#/components/responses/Error" }
    put:
      summary: Validate, compile and put a sensor file in force beside the built-in sets.
      parameters:
        - { name: name, in: query, schema: { type: string } }
      requestBody: { required: true, content: { application/yaml: { schema: { type: string } } } }
      responses:
        "200": { description: In force, content: { application/json: { schema: { $ref: "#/components/schemas/PushResponse" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "422": { $ref: "#/components/responses/Error" }
  /v1/flows:
    get:
      summary: The active flows, most recently active first.
      parameters:
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 100000, default: 1000 } }
      responses:
        "200": { description: Flows, content: { application/json: { schema: { $ref: "#/components/schemas/FlowsResponse" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
  /v1/interfaces:
    get:
      summary: Every interface attached now (config, API, containers' veths).
      responses:
        "200": { description: Interfaces, content: { application/json: { schema: { $ref: "#/components/schemas/InterfacesResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
    post:
      summary: Attach an interface at run time (inline pair or tap), for a runtime the daemon does not watch.
      requestBody: { required: true, content: { application/json: { schema: { $ref: "#/components/schemas/AttachRequest" } } } }
      responses:
        "201": { description: Attached, every worker reading it, content: { application/json: { schema: { $ref: "#/components/schemas/InterfaceInfo" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "429": { $ref: "#/components/responses/Error" }
  /v1/interfaces/{name}:
    delete:
      summary: Detach an interface attached at run time (an interposed container veth goes back on its bridge).
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
      responses:
        "200": { description: Detached, content: { application/json: { schema: { $ref: "#/components/schemas/InterfaceInfo" } } } }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
  /v1/threats:
    get:
      summary: The network threats detected (docs/threats.md), their thresholds, actions and detection counts.
      responses:
        "200": { description: Threats, content: { application/json: { schema: { $ref: "#/components/schemas/ThreatsResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
  /v1/workloads:
    get:
      summary: The policy's workloads.
      responses:
        "200": { description: Workloads, content: { application/json: { schema: { $ref: "#/components/schemas/WorkloadsResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
  /v1/workloads/{name}:
    put:
      summary: Set a workload's mode and/or quarantine (a new policy version).
      parameters:
        - { name: name, in: path, required: true, schema: { type: string } }
      requestBody: { required: true, content: { application/json: { schema: { $ref: "#/components/schemas/WorkloadUpdate" } } } }
      responses:
        "200": { description: In force, content: { application/json: { schema: { $ref: "#/components/schemas/PushResponse" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/events:
    get:
      summary: The latest EVE records as JSON lines; `follow=1` streams new ones.
      parameters:
        - { name: tail, in: query, schema: { type: integer, minimum: 0, maximum: 10000, default: 100 } }
        - { name: follow, in: query, schema: { type: string, enum: ["1", "true"] } }
      responses:
        "200": { description: EVE records, content: { application/x-ndjson: { schema: { type: string } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/captures:
    get:
      summary: Every capture.
      responses:
        "200": { description: Captures, content: { application/json: { schema: { $ref: "#/components/schemas/CapturesResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
        "503": { $ref: "#/components/responses/Error" }
    post:
      summary: Start a capture.
      requestBody: { required: true, content: { application/json: { schema: { $ref: "#/components/schemas/CaptureStartRequest" } } } }
      responses:
        "201": { description: Started, content: { application/json: { schema: { $ref: "#/components/schemas/CaptureResponse" } } } }
        "400": { $ref: "#/components/responses/Error" }
        "401": { $ref: "#/components/responses/Error" }
        "409": { $ref: "#/components/responses/Error" }
        "429": { $ref: "#/components/responses/Error" }
        "503": { $ref: "#/components/responses/Error" }
  /v1/captures/{id}:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      summary: One capture.
      responses:
        "200": { description: The capture, content: { application/json: { schema: { $ref: "#/components/schemas/CaptureResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
    delete:
      summary: Stop a capture and delete its files.
      responses:
        "200": { description: Deleted, content: { application/json: { schema: { $ref: "#/components/schemas/CaptureDeletedResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/captures/{id}/pcap:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    get:
      summary: The capture as one pcapng file.
      responses:
        "200": { description: pcapng, content: { application/x-pcapng: { schema: { type: string, contentEncoding: binary } } } }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
  /v1/captures/{id}/stop:
    parameters:
      - { name: id, in: path, required: true, schema: { type: string } }
    post:
      summary: Stop a capture (its file stays).
      responses:
        "200": { description: Stopped, content: { application/json: { schema: { $ref: "#/components/schemas/CaptureResponse" } } } }
        "401": { $ref: "#/components/responses/Error" }
        "404": { $ref: "#/components/responses/Error" }
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  responses:
    Error:
      description: Refused; `error.reason` says why.
      content: { application/json: { schema: { $ref: "#/components/schemas/APIErrorResponse" } } }
  schemas:
    APIErrorResponse:
      type: object
      required: [error]
      properties:
        error: { $ref: "#/components/schemas/APIErrorDetail" }
    APIErrorDetail:
      type: object
      required: [status, reason]
      properties:
        status: { type: integer }
        reason: { type: string }
        field: { type: string, description: The request field at fault (400) }
        file: { type: string, description: "422: the file that does not validate" }
        line: { type: integer }
        column: { type: integer }
        key: { type: string }
        message: { type: string, description: "422: FILE:LINE:COLUMN: key: reason" }
        current_version: { type: integer, description: "409: the version in force" }
    StatusResponse:
      type: object
      required: [uptime_seconds, workers, fail, interfaces, policy, sensors]
      properties:
        uptime_seconds: { type: integer }
        workers: { type: integer }
        fail: { type: string, enum: [open, closed] }
        interfaces: { type: array, items: { $ref: "#/components/schemas/InterfaceStatus" } }
        policy: { $ref: "#/components/schemas/PolicyStatus" }
        sensors: { type: array, items: { type: string } }
    InterfaceStatus:
      type: object
      required: [name, mode]
      properties:
        name: { type: string }
        mode: { type: string, enum: [inline, tap] }
        pair: { type: array, items: { type: string }, minItems: 2, maxItems: 2 }
        interface: { type: string }
        workload: { type: string }
    PolicyStatus:
      type: object
      required: [version, source, generation, overrides, last_apply_ms]
      properties:
        version: { type: integer }
        source: { type: string }
        generation: { type: integer }
        overrides: { $ref: "#/components/schemas/PolicyOverrides" }
        last_apply_ms: { type: number, description: -1 before any push }
    PolicyOverrides:
      type: object
      required: [modes, quarantined]
      properties:
        modes: { type: object, additionalProperties: { type: string } }
        quarantined: { type: array, items: { type: string } }
    PolicyResponse:
      type: object
      required: [version, source, policy]
      properties:
        version: { type: integer }
        source: { type: string }
        policy: { type: string, description: The YAML text }
    PushResponse:
      type: object
      required: [version, applied_ms]
      properties:
        version: { type: integer }
        applied_ms: { type: number, description: -1 when a worker had not switched after 1 s, and for sensors }
    LearnedPolicyResponse:
      type: object
      required: [count, flows, workers_late, policy, merged, merged_rules_added, already_allowed, explicitly_denied, policy_version]
      properties:
        count: { type: integer }
        flows: { type: array, items: { $ref: "#/components/schemas/LearnedShape" } }
        workers_late: { type: integer }
        policy: { type: string }
        merged: { type: string }
        merged_rules_added: { type: integer }
        already_allowed: { type: integer }
        explicitly_denied: { type: array, items: { $ref: "#/components/schemas/LearnedShape" } }
        policy_version: { type: integer }
    LearnedShape:
      type: object
      required: [src_ip, dest_ip, proto]
      properties:
        src_ip: { type: string }
        dest_ip: { type: string }
        proto: { type: integer }
        dest_port: { type: integer }
        app_proto: { type: string }
    SensorsResponse:
      type: object
      required: [sensors, version, file]
      properties:
        sensors: { type: array, items: { $ref: "#/components/schemas/SensorInfo" } }
        version: { type: integer }
        file: { type: string }
    SensorInfo:
      type: object
      required: [name, rules]
      properties:
        name: { type: string }
        rules: { type: array, items: { $ref: "#/components/schemas/SensorRuleInfo" } }
    SensorRuleInfo:
      type: object
      required: [id, name, context, action, severity]
      properties:
        id: { type: integer }
        name: { type: string }
        context: { type: string }
        action: { type: string }
        severity: { type: integer }
    InterfacesResponse:
      type: object
      required: [interfaces]
      properties:
        interfaces: { type: array, items: { $ref: "#/components/schemas/InterfaceInfo" } }
    InterfaceInfo:
      type: object
      required: [name, mode, origin, attached_at]
      properties:
        name: { type: string }
        mode: { type: string, enum: [inline, tap] }
        pair: { type: array, items: { type: string }, minItems: 2, maxItems: 2 }
        interface: { type: string }
        workload: { type: string }
        origin: { type: string, enum: [config, api, container] }
        container: { type: string }
        container_id: { type: string }
        bridge: { type: string }
        link_seen_at: { type: number, description: "seconds since 1970 (UTC) when the watcher saw the link" }
        attached_at: { type: number, description: "seconds since 1970 (UTC) when every worker read it" }
    AttachRequest:
      type: object
      additionalProperties: false
      required: [name, mode]
      properties:
        name: { type: string, maxLength: 64 }
        mode: { type: string, enum: [inline, tap] }
        pair: { type: array, items: { type: string, maxLength: 15 }, minItems: 2, maxItems: 2 }
        interface: { type: string, maxLength: 15 }
        workload: { type: string }
    ThreatsResponse:
      type: object
      required: [threats, workers]
      properties:
        threats: { type: array, items: { $ref: "#/components/schemas/ThreatInfo" } }
        workers: { type: integer }
    ThreatInfo:
      type: object
      required: [id, name, signature, classification, severity, enabled, action, detections]
      properties:
        id: { type: integer }
        name: { type: string }
        signature: { type: string }
        classification: { type: string }
        severity: { type: integer }
        enabled: { type: boolean }
        action: { type: string, enum: [alert, block] }
        threshold: { type: string }
        detections: { type: integer }
    WorkloadsResponse:
      type: object
      required: [workloads]
      properties:
        workloads: { type: array, items: { $ref: "#/components/schemas/WorkloadInfo" } }
    WorkloadInfo:
      type: object
      required: [name, group, mode, quarantine, sensors, sensor_bindings]
      properties:
        name: { type: string }
        group: { type: string }
        mode: { type: string, enum: [discover, monitor, protect] }
        quarantine: { type: boolean }
        sensors: { type: array, items: { type: string } }
        sensor_bindings: { type: array, items: { $ref: "#/components/schemas/SensorBindingInfo" } }
    SensorBindingInfo:
      type: object
      required: [name, action, disable]
      properties:
        name: { type: string }
        action: { type: string, enum: [alert, block, rule] }
        disable: { type: array, items: { type: integer } }
    WorkloadUpdate:
      type: object
      additionalProperties: false
      properties:
        mode: { type: string, enum: [discover, monitor, protect] }
        quarantine: { type: boolean }
    FlowsResponse:
      type: object
      required: [flows, count, workers_late]
      properties:
        flows: { type: array, items: { $ref: "#/components/schemas/FlowInfo" } }
        count: { type: integer }
        workers_late: { type: integer }
    FlowInfo:
      type: object
      required: [flow_id, src_ip, dest_ip, proto, state, pkts, bytes, age_seconds, verdict]
      properties:
        flow_id: { type: integer }
        src_ip: { type: string }
        dest_ip: { type: string }
        src_port: { type: integer }
        dest_port: { type: integer }
        proto: { type: integer }
        interface: { type: string }
        app_proto: { type: string }
        state: { type: string }
        pkts: { type: integer }
        bytes: { type: integer }
        age_seconds: { type: number }
        verdict: { type: string, enum: [allow, learn, violate, deny, pending, undecided] }
    CaptureStartRequest:
      type: object
      additionalProperties: false
      properties:
        interface: { type: string }
        workload: { type: string }
        filter: { type: string, maxLength: 2048 }
        packets: { type: integer, minimum: 0, maximum: 1000000000 }
        bytes: { type: integer, minimum: 0, maximum: 1099511627776 }
        seconds: { type: number, minimum: 0, maximum: 604800 }
        snaplen: { type: integer, minimum: 1, maximum: 262144 }
    CaptureResponse:
      type: object
      required: [id, target, interfaces, filter, snaplen, state, closed, limits, counters]
      properties:
        id: { type: string }
        target: { type: string }
        interfaces: { type: array, items: { type: string } }
        filter: { type: string }
        snaplen: { type: integer }
        state: { type: string }
        closed: { type: boolean }
        limits: { $ref: "#/components/schemas/CaptureLimitsInfo" }
        counters: { $ref: "#/components/schemas/CaptureCountersInfo" }
    CaptureLimitsInfo:
      type: object
      required: [packets, bytes, seconds]
      properties:
        packets: { type: integer }
        bytes: { type: integer }
        seconds: { type: number }
    CaptureCountersInfo:
      type: object
      required: [seen, matched, written, bytes, file_bytes]
      properties:
        seen: { type: integer }
        matched: { type: integer }
        written: { type: integer }
        bytes: { type: integer }
        file_bytes: { type: integer }
    CapturesResponse:
      type: object
      required: [captures]
      properties:
        captures: { type: array, items: { $ref: "#/components/schemas/CaptureResponse" } }
    CaptureDeletedResponse:
      type: object
      required: [deleted]
      properties:
        deleted: { type: string }

"""#
}
