"""The full ENI life cycle through an official Python SDK, unchanged, pointed at an
endpoint: create, attach, wait InUse, assign 10 IPs, describe, unassign, detach, wait
Available, delete. Then the documented errors for an unknown key and a wrong secret.

usage: lifecycle.py core|tea HOST:PORT INSTANCE VSWITCH SECURITY_GROUP [bench N]
Prints a JSON report; exits non-zero on any unexpected answer."""
import json
import sys
import time

sdk, endpoint, instance, vswitch, group = sys.argv[1:6]
bench = int(sys.argv[7]) if len(sys.argv) > 7 and sys.argv[6] == "bench" else 0
region, key, secret = "cn-hangzhou", "LTAI-lab", "lab-secret"

if sdk == "core":
    from aliyunsdkcore.client import AcsClient
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkecs.request.v20140526 import (
        AssignPrivateIpAddressesRequest, AttachNetworkInterfaceRequest, CreateNetworkInterfaceRequest,
        DeleteNetworkInterfaceRequest, DescribeInstanceTypesRequest, DescribeNetworkInterfacesRequest,
        DetachNetworkInterfaceRequest, UnassignPrivateIpAddressesRequest)

    def client(k=key, s=secret):
        return AcsClient(k, s, region, auto_retry=False)

    def call(request, c=None):
        request.set_endpoint(endpoint)
        request.set_protocol_type("http")
        return json.loads((c or default).do_action_with_exception(request))

    default = client()

    def create():
        r = CreateNetworkInterfaceRequest.CreateNetworkInterfaceRequest()
        r.set_VSwitchId(vswitch)
        r.set_SecurityGroupId(group)
        r.set_Description("sdk life cycle")
        return call(r)["NetworkInterfaceId"]

    def attach(eni):
        r = AttachNetworkInterfaceRequest.AttachNetworkInterfaceRequest()
        r.set_NetworkInterfaceId(eni)
        r.set_InstanceId(instance)
        call(r)

    def detach(eni):
        r = DetachNetworkInterfaceRequest.DetachNetworkInterfaceRequest()
        r.set_NetworkInterfaceId(eni)
        r.set_InstanceId(instance)
        call(r)

    def delete(eni):
        r = DeleteNetworkInterfaceRequest.DeleteNetworkInterfaceRequest()
        r.set_NetworkInterfaceId(eni)
        call(r)

    def describe(eni):
        r = DescribeNetworkInterfacesRequest.DescribeNetworkInterfacesRequest()
        r.set_NetworkInterfaceIds([eni])
        r.set_MaxResults(100)
        return call(r)["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]

    def assign(eni, n):
        r = AssignPrivateIpAddressesRequest.AssignPrivateIpAddressesRequest()
        r.set_NetworkInterfaceId(eni)
        r.set_SecondaryPrivateIpAddressCount(n)
        return call(r)["AssignedPrivateIpAddressesSet"]["PrivateIpSet"]["PrivateIpAddress"]

    def unassign(eni, ips):
        r = UnassignPrivateIpAddressesRequest.UnassignPrivateIpAddressesRequest()
        r.set_NetworkInterfaceId(eni)
        r.set_PrivateIpAddresss(ips)
        call(r)

    def types(c=None):
        r = DescribeInstanceTypesRequest.DescribeInstanceTypesRequest()
        return call(r, c)

    def error_code(k, s):
        try:
            types(client(k, s))
        except ServerException as e:
            return e.get_error_code()
        return None
else:
    from alibabacloud_ecs20140526.client import Client
    from alibabacloud_ecs20140526 import models
    from alibabacloud_tea_openapi.utils_models import Config

    def client(k=key, s=secret):
        return Client(Config(access_key_id=k, access_key_secret=s, endpoint=endpoint, protocol="http", region_id=region))

    default = client()

    def create():
        return default.create_network_interface(models.CreateNetworkInterfaceRequest(
            region_id=region, v_switch_id=vswitch, security_group_id=group, description="sdk life cycle")).body.network_interface_id

    def attach(eni):
        default.attach_network_interface(models.AttachNetworkInterfaceRequest(region_id=region, network_interface_id=eni, instance_id=instance))

    def detach(eni):
        default.detach_network_interface(models.DetachNetworkInterfaceRequest(region_id=region, network_interface_id=eni, instance_id=instance))

    def delete(eni):
        default.delete_network_interface(models.DeleteNetworkInterfaceRequest(region_id=region, network_interface_id=eni))

    def describe(eni):
        body = default.describe_network_interfaces(models.DescribeNetworkInterfacesRequest(
            region_id=region, network_interface_id=[eni], max_results=100)).body.to_map()
        return body["NetworkInterfaceSets"]["NetworkInterfaceSet"][0]

    def assign(eni, n):
        body = default.assign_private_ip_addresses(models.AssignPrivateIpAddressesRequest(
            region_id=region, network_interface_id=eni, secondary_private_ip_address_count=n)).body
        return body.assigned_private_ip_addresses_set.private_ip_set.private_ip_address

    def unassign(eni, ips):
        default.unassign_private_ip_addresses(models.UnassignPrivateIpAddressesRequest(
            region_id=region, network_interface_id=eni, private_ip_address=ips))

    def types(c=None):
        return (c or default).describe_instance_types(models.DescribeInstanceTypesRequest()).body.to_map()

    def error_code(k, s):
        try:
            types(client(k, s))
        except Exception as e:  # Tea's ClientException and ServerException both carry .code
            return getattr(e, "code", repr(e))
        return None


def wait(eni, status):
    for _ in range(300):
        if describe(eni)["Status"] == status:
            return
        time.sleep(0.05)
    raise SystemExit(f"{eni} never became {status}")


if bench:
    start = time.perf_counter()
    for _ in range(bench):
        types()
    print(json.dumps({"calls": bench, "seconds": time.perf_counter() - start}))
    sys.exit(0)

report = {}
eni = create()
report["created"] = eni
report["createdStatus"] = describe(eni)["Status"]
attach(eni)
report["afterAttach"] = describe(eni)["Status"]
wait(eni, "InUse")
report["assigned"] = assign(eni, 10)
described = describe(eni)
report["described"] = [s["PrivateIpAddress"] for s in described["PrivateIpSets"]["PrivateIpSet"]]
report["instance"] = described["InstanceId"]
unassign(eni, report["assigned"])
report["afterUnassign"] = [s["PrivateIpAddress"] for s in describe(eni)["PrivateIpSets"]["PrivateIpSet"]]
detach(eni)
wait(eni, "Available")
delete(eni)
report["unknownKey"] = error_code("LTAI-nobody", "x")
report["wrongSecret"] = error_code(key, "not-the-secret")
print(json.dumps(report))
