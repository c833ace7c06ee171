"""Standard-library helpers of core_facility_iot that run outside a request: the MQTT 3.1.1
client and the bridge (see the README, "IoT boxes")."""
